//! One fault at a time, at the worst moment: a handled error inside a
//! transaction, a connection lost under an audited write, a stall against
//! the timeout, a `COMMIT` whose request or answer is lost.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use entable::backend::Dialect;
use entable::prelude::*;
use entable::{Error, Retry, Tx};

use super::{
    Ledger, LedgerUpdate, Marker, ledger, ledger_names, marker, records_of, schema, through_proxy,
};
use crate::support::proxy::OnCommit;
use crate::support::{TestDb, announce, on_every_backend};

/// Inside a transaction, an error the caller handles still fails the
/// transaction, on every backend (PostgreSQL aborts it; MySQL and SQLite
/// would keep going): later calls and the commit say `TxAborted`, and
/// nothing is written. The same error in a savepoint is undone alone.
#[tokio::test]
async fn a_handled_error_fails_the_transaction() {
    on_every_backend(
        "a_handled_error_fails_the_transaction",
        |t: TestDb| async move {
            let db = &t.db;
            schema(db).await;
            Ledger::create(db, ledger("taken")).await.expect("seed");

            let tx = db.begin().await.expect("begin");
            Ledger::create(&tx, ledger("first")).await.expect("first");
            let clash = Ledger::create(&tx, ledger("taken")).await;
            assert!(
                matches!(clash, Err(Error::UniqueViolation { .. })),
                "{clash:?}"
            );
            assert!(tx.is_failed().await);
            let next = Marker::create(&tx, marker("after")).await;
            assert!(matches!(next, Err(Error::TxAborted { .. })), "{next:?}");
            let read = Ledger::query().all(&tx).await;
            assert!(matches!(read, Err(Error::TxAborted { .. })), "{read:?}");
            let commit = tx.commit().await;
            assert!(matches!(commit, Err(Error::TxAborted { .. })), "{commit:?}");
            assert_eq!(ledger_names(db).await, ["taken"]);
            assert!(Marker::query().all(db).await.expect("markers").is_empty());
            assert_eq!(records_of(db, "first").await, 0);

            // The closure form reports it too, even when the closure says Ok.
            let out = db
                .transaction(|tx: Tx| async move {
                    Ledger::create(&tx, ledger("second")).await?;
                    let _ = Ledger::create(&tx, ledger("taken")).await;
                    Ok::<_, Error>(())
                })
                .await;
            assert!(matches!(out, Err(Error::TxAborted { .. })), "{out:?}");
            assert_eq!(ledger_names(db).await, ["taken"]);

            // In a savepoint: rolled back alone, the transaction goes on.
            let tx = db.begin().await.expect("begin");
            Ledger::create(&tx, ledger("kept")).await.expect("kept");
            let savepoint = tx.begin().await.expect("savepoint");
            let clash = Ledger::create(&savepoint, ledger("taken")).await;
            assert!(
                matches!(clash, Err(Error::UniqueViolation { .. })),
                "{clash:?}"
            );
            let refused = savepoint.commit().await;
            assert!(
                matches!(refused, Err(Error::TxAborted { .. })),
                "{refused:?}"
            );
            assert!(!tx.is_failed().await, "the savepoint's failure was undone");
            Marker::create(&tx, marker("also kept"))
                .await
                .expect("after the savepoint");
            tx.commit().await.expect("commit");
            assert_eq!(ledger_names(db).await, ["kept", "taken"]);
            assert_eq!(records_of(db, "kept").await, 1);
            assert_eq!(Marker::query().all(db).await.expect("markers").len(), 1);

            // Errors found before any SQL do not fail it.
            let tx = db.begin().await.expect("begin");
            let missing = Ledger::update(&tx, 999_999, LedgerUpdate::default()).await;
            assert!(
                matches!(missing, Err(Error::NotFound { .. })),
                "{missing:?}"
            );
            Ledger::create(&tx, ledger("after not found"))
                .await
                .expect("goes on");
            tx.commit().await.expect("commit");
            t
        },
    )
    .await;
}

/// Servers only: the proxy cuts the connection under an audited write
/// inside a transaction. The write fails, the transaction cannot commit,
/// and nothing of it (row or audit record) is written.
#[tokio::test]
async fn a_lost_connection_fails_the_commit() {
    on_every_backend("a_lost_connection_fails_the_commit", |t: TestDb| async move {
        if t.dialect == Dialect::Sqlite {
            announce("a_lost_connection_fails_the_commit: not applicable on sqlite (no connection to cut)");
            return t;
        }
        schema(&t.db).await;
        let (proxy, db) = through_proxy(&t, Duration::from_secs(5)).await;
        let tx = db.begin().await.expect("begin");
        Ledger::create(&tx, ledger("before the cut")).await.expect("first write");
        proxy.cut();
        let write = Ledger::create(&tx, ledger("at the cut")).await;
        let error = write.expect_err("the connection is gone");
        assert!(error.is_retryable(), "nothing was committed: {error:?}");
        let commit = tx.commit().await;
        assert!(matches!(commit, Err(Error::TxAborted { .. })), "{commit:?}");
        assert!(ledger_names(&t.db).await.is_empty());
        assert_eq!(records_of(&t.db, "before the cut").await, 0);
        // The pool recovers: new connections through the proxy work.
        Ledger::create(&db, ledger("afterwards")).await.expect("recovered");
        assert_eq!(ledger_names(&t.db).await, ["afterwards"]);

        // A savepoint whose rollback fails (the connection is gone) fails
        // the whole transaction: its parent cannot commit either.
        let tx = db.begin().await.expect("begin");
        Ledger::create(&tx, ledger("parent")).await.expect("parent write");
        let savepoint = tx.begin().await.expect("savepoint");
        Ledger::create(&savepoint, ledger("child")).await.expect("child write");
        proxy.cut();
        let undo = savepoint.rollback().await;
        assert!(undo.is_err(), "the rollback cannot reach the server: {undo:?}");
        assert!(tx.is_failed().await);
        let commit = tx.commit().await;
        assert!(matches!(commit, Err(Error::TxAborted { .. })), "{commit:?}");
        assert_eq!(ledger_names(&t.db).await, ["afterwards"]);
        db.close().await;
        t
    })
    .await;
}

/// Servers only: a stalled connection ends in `Timeout` within the limit,
/// for a read, a write in a transaction and a bulk insert; the stalled
/// connection is never reused and the pool goes on.
#[tokio::test]
async fn a_stall_times_out() {
    on_every_backend("a_stall_times_out", |t: TestDb| async move {
        if t.dialect == Dialect::Sqlite {
            announce("a_stall_times_out: not applicable on sqlite (no connection to stall)");
            return t;
        }
        schema(&t.db).await;
        let limit = Duration::from_millis(400);
        let (proxy, db) = through_proxy(&t, limit).await;
        Ledger::create(&db, ledger("seed")).await.expect("seed");

        let mut conn = db.acquire().await.expect("held connection");
        proxy.stall();
        let started = Instant::now();
        let read = Ledger::query().all(&mut conn).await;
        assert!(matches!(read, Err(Error::Timeout { .. })), "{read:?}");
        assert!(read.as_ref().err().is_some_and(Error::is_retryable));
        assert!(started.elapsed() < limit * 5, "{:?}", started.elapsed());
        drop(conn);

        let tx = db.begin().await.expect("begin on a fresh connection");
        proxy.stall();
        let write = Ledger::create(&tx, ledger("stalled")).await;
        assert!(matches!(write, Err(Error::Timeout { .. })), "{write:?}");
        let commit = tx.commit().await;
        assert!(matches!(commit, Err(Error::TxAborted { .. })), "{commit:?}");

        let mut conn = db.acquire().await.expect("held connection");
        proxy.stall();
        let rows = (0..50).map(|i| ledger(&format!("bulk {i}")));
        let bulk = Ledger::bulk_insert(&mut conn, rows).await;
        assert!(matches!(bulk, Err(Error::Timeout { .. })), "{bulk:?}");
        drop(conn);

        // Stalled connections were closed, not returned: the pool works.
        for _ in 0..6 {
            Ledger::query().all(&db).await.expect("the pool recovers");
        }
        assert_eq!(ledger_names(&t.db).await, ["seed"]);
        drop(proxy);
        db.close().await;
        t
    })
    .await;
}

/// Servers only: the answer to `COMMIT` is lost (the proxy holds the
/// server's bytes). On PostgreSQL entable asks the server on a fresh
/// connection and reports the truth (committed: `Ok`); on MySQL/MariaDB the
/// outcome is `CommitUnknown`, which `run_tx` does not retry.
#[tokio::test]
async fn a_lost_commit_answer_is_resolved_or_unknown() {
    on_every_backend(
        "a_lost_commit_answer_is_resolved_or_unknown",
        |t: TestDb| async move {
            if t.dialect == Dialect::Sqlite {
                announce("a_lost_commit_answer_is_resolved_or_unknown: not applicable on sqlite");
                return t;
            }
            schema(&t.db).await;
            let (proxy, db) = through_proxy(&t, Duration::from_millis(500)).await;
            let tx = db.begin().await.expect("begin");
            Ledger::create(&tx, ledger("committed?"))
                .await
                .expect("write");
            proxy.on_commit(OnCommit::HoldAnswer);
            let outcome = tx.commit().await;
            match t.dialect {
                // The server committed; entable asked it and says so.
                Dialect::Postgres => assert!(outcome.is_ok(), "{outcome:?}"),
                _ => assert!(
                    matches!(outcome, Err(Error::CommitUnknown { .. })),
                    "{outcome:?}"
                ),
            }
            // Either way the server did commit, with the audit record.
            assert_eq!(ledger_names(&t.db).await, ["committed?"]);
            assert_eq!(records_of(&t.db, "committed?").await, 1);
            proxy.cut();

            // run_tx never retries an unknown outcome (it would apply the work
            // twice): on MySQL/MariaDB the closure ran exactly once.
            let attempts = Arc::new(AtomicUsize::new(0));
            let proxy = Arc::new(proxy);
            let (counter, armed) = (Arc::clone(&attempts), Arc::clone(&proxy));
            let run = db
                .run_tx(Retry::default(), move |tx: Tx| {
                    let (counter, armed) = (Arc::clone(&counter), Arc::clone(&armed));
                    async move {
                        counter.fetch_add(1, Ordering::SeqCst);
                        Marker::create(&tx, marker("once")).await?;
                        armed.on_commit(OnCommit::HoldAnswer);
                        Ok::<_, Error>(())
                    }
                })
                .await;
            match t.dialect {
                Dialect::Postgres => assert!(run.is_ok(), "{run:?}"),
                _ => assert!(matches!(run, Err(Error::CommitUnknown { .. })), "{run:?}"),
            }
            assert_eq!(attempts.load(Ordering::SeqCst), 1);
            assert_eq!(Marker::query().all(&t.db).await.expect("markers").len(), 1);
            proxy.cut();
            db.close().await;
            t
        },
    )
    .await;
}

/// Servers only: the `COMMIT` request itself is held. PostgreSQL: entable
/// ends the session that never got it and reports the rollback for sure.
#[tokio::test]
async fn a_lost_commit_request_is_a_rollback_on_postgres() {
    on_every_backend("a_lost_commit_request_is_a_rollback_on_postgres", |t: TestDb| async move {
        if t.dialect != Dialect::Postgres {
            announce(&format!(
                "a_lost_commit_request_is_a_rollback_on_postgres: not applicable on {} (no transaction status to ask)",
                t.dialect
            ));
            return t;
        }
        schema(&t.db).await;
        let (proxy, db) = through_proxy(&t, Duration::from_millis(500)).await;
        let tx = db.begin().await.expect("begin");
        Ledger::create(&tx, ledger("never")).await.expect("write");
        proxy.on_commit(OnCommit::HoldRequest);
        let outcome = tx.commit().await;
        assert!(matches!(outcome, Err(Error::TxAborted { .. })), "{outcome:?}");
        assert!(ledger_names(&t.db).await.is_empty());
        assert_eq!(records_of(&t.db, "never").await, 0);
        proxy.cut();
        db.close().await;
        t
    })
    .await;
}

/// No connection free within `acquire_timeout`: a typed, retryable error
/// that names the entity and the operation (nothing was sent).
#[tokio::test]
async fn a_busy_pool_names_the_call() {
    on_every_backend("a_busy_pool_names_the_call", |t: TestDb| async move {
        schema(&t.db).await;
        let config = entable::PoolConfig {
            max_connections: 1,
            acquire_timeout: Duration::from_millis(200),
            ..entable::PoolConfig::default()
        };
        let db = match t.dialect {
            // One in-memory database per pool: the busy pool's own.
            Dialect::Sqlite => Db::connect_with("sqlite::memory:", config).await,
            _ => Db::connect_with(&t.url(), config).await,
        }
        .expect("a one-connection pool");
        let held = db.acquire().await.expect("the only connection");
        let busy = Ledger::get(&db, 1).await;
        match &busy {
            Err(Error::Database {
                context,
                source: entable::sqlx::Error::PoolTimedOut,
            }) => {
                assert_eq!((context.entity, context.operation), ("Ledger", "get"));
            }
            other => panic!("{other:?}"),
        }
        assert!(busy.as_ref().err().is_some_and(Error::is_retryable));
        drop(held);
        db.close().await;
        t
    })
    .await;
}

/// Servers: the connection is cut while the example's migrations run, at
/// moments spread over the run. The error is typed; on PostgreSQL (DDL in a
/// transaction) the migration is either applied whole or not at all, and
/// running again after the network recovers finishes the job. MySQL
/// commits each DDL statement by itself, so a cut partway leaves a partial
/// migration that sqlx never recorded (`docs/reliability.md`): there the
/// test checks only that the error is typed.
#[tokio::test]
async fn a_cut_during_migrations_leaves_them_whole() {
    use entable::migrate::{self, State};
    use entable::schema::MigrationDir;
    on_every_backend("a_cut_during_migrations_leaves_them_whole", |t: TestDb| async move {
        if t.dialect == Dialect::Sqlite {
            announce("a_cut_during_migrations_leaves_them_whole: not applicable on sqlite");
            return t;
        }
        let dir = MigrationDir::new(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations"));
        let mut cut_partway = 0;
        for delay in (0..40).map(|i| Duration::from_micros(600 * i)) {
            let scratch = TestDb::create(t.dialect, Some(&admin_of(&t))).await;
            let (proxy, db) = super::through_proxy(&scratch, Duration::from_secs(5)).await;
            let (outcome, ()) = tokio::join!(migrate::run(&db, &dir, |_| {}), async {
                tokio::time::sleep(delay).await;
                proxy.cut();
            });
            if let Err(error) = &outcome {
                cut_partway += 1;
                assert!(!error.to_string().is_empty(), "{error:?}");
            }
            if t.dialect == Dialect::Postgres {
                // The cut session may still be creating sqlx's bookkeeping
                // table: a concurrent `CREATE TABLE IF NOT EXISTS` then fails
                // once (a typed error). Asked again, as an operator would.
                let mut status = migrate::status(&scratch.db, &dir).await;
                for _ in 0..20 {
                    if status.is_ok() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    status = migrate::status(&scratch.db, &dir).await;
                }
                let status = status.expect("status");
                assert!(
                    status.iter().all(|s| matches!(s.state, State::Applied | State::Pending)),
                    "whole or not at all after a cut at {delay:?}: {status:?}"
                );
                migrate::run(&scratch.db, &dir, |_| {}).await.expect("runs on after the cut");
                let status = migrate::status(&scratch.db, &dir).await.expect("status");
                assert!(status.iter().all(|s| s.state == State::Applied), "{status:?}");
            }
            drop(proxy);
            db.close().await;
            scratch.drop_database().await;
        }
        announce(&format!(
            "a_cut_during_migrations_leaves_them_whole on {}: 40 cuts, {cut_partway} during the run",
            t.dialect
        ));
        t
    })
    .await;
}

/// The admin URL a test database of `t`'s backend was made from.
fn admin_of(t: &TestDb) -> String {
    let env = match t.dialect {
        Dialect::Postgres => crate::support::POSTGRES_ENV,
        _ => crate::support::MYSQL_ENV,
    };
    std::env::var(env).expect("a server backend runs only with its URL set")
}
