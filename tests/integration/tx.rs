//! Transactions on every backend: the closure form commits on `Ok` and
//! rolls back on `Err`, on panic and when dropped; savepoints undo only
//! their part; misuse is refused; `run_tx` retries real serialization
//! failures and deadlocks, and nothing else.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use entable::backend::Dialect;
use entable::dto::Patch;
use entable::prelude::*;
use entable::{Error, Isolation, Retry, Tx, TxOptions};

use crate::entities::{self, Group, GroupCreate};
use crate::support::{TestDb, on_every_backend};

async fn schema(t: &TestDb) {
    Schema::of(entities::tables())
        .expect("valid schema")
        .create_all(&t.db)
        .await
        .expect("schema created");
}

fn group(name: &str) -> GroupCreate {
    GroupCreate {
        name: name.into(),
        position: Patch::Absent,
    }
}

/// The group names, read on a pooled connection. A transaction dropped
/// unfinished is rolled back by sqlx as its connection goes back to the pool,
/// in a task of its own: until that task runs, SQLite's shared in-memory
/// database reports the table as locked (a retryable error), so the read
/// waits it out as an application would.
async fn names(db: &Db) -> Vec<String> {
    let mut waited = Duration::ZERO;
    let groups = loop {
        match Group::query().all(db).await {
            Err(error) if error.is_retryable() && waited < Duration::from_secs(5) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                waited += Duration::from_millis(20);
            }
            other => break other.expect("groups"),
        }
    };
    let mut names: Vec<String> = groups.into_iter().map(|g| g.name).collect();
    names.sort();
    names
}

#[tokio::test]
async fn closure_commits_on_ok_and_rolls_back_otherwise() {
    on_every_backend(
        "closure_commits_on_ok_and_rolls_back_otherwise",
        |t| async move {
            schema(&t).await;
            let db = &t.db;

            let id = db
                .transaction(|tx: Tx| async move {
                    let a = Group::create(&tx, group("a")).await?;
                    Group::create(&tx, group("b")).await?;
                    Ok::<_, Error>(a.id)
                })
                .await
                .expect("committed");
            assert!(Group::get(db, id).await.expect("get").is_some());

            let error = db
                .transaction(|tx: Tx| async move {
                    Group::create(&tx, group("c")).await?;
                    Group::create(&tx, group("a")).await?; // duplicate
                    Ok::<_, Error>(())
                })
                .await
                .expect_err("duplicate");
            assert!(matches!(error, Error::UniqueViolation { .. }), "{error:?}");

            // A panic inside the closure: the task dies, the work is undone.
            let panicking = db.clone();
            let outcome = tokio::spawn(async move {
                panicking
                    .transaction(|tx: Tx| async move {
                        Group::create(&tx, group("d")).await?;
                        if tx.level() == 1 {
                            panic!("boom");
                        }
                        Ok::<_, Error>(())
                    })
                    .await
            })
            .await;
            assert!(outcome.expect_err("panicked").is_panic());

            // The future dropped halfway (a timeout here).
            let dropped = tokio::time::timeout(
                Duration::from_millis(300),
                db.transaction(|tx: Tx| async move {
                    Group::create(&tx, group("e")).await?;
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    Ok::<_, Error>(())
                }),
            )
            .await;
            assert!(dropped.is_err(), "timed out");

            assert_eq!(names(db).await, ["a", "b"], "only the committed work");
            // The pool still works: no connection was left inside a transaction.
            for _ in 0..12 {
                db.transaction(|tx: Tx| async move {
                    Group::count(&tx, Expr::all()).await?;
                    Ok::<_, Error>(())
                })
                .await
                .expect("fresh transaction");
            }
            t
        },
    )
    .await;
}

#[tokio::test]
async fn savepoints_undo_only_their_part() {
    on_every_backend("savepoints_undo_only_their_part", |t| async move {
        schema(&t).await;
        let db = &t.db;

        db.transaction(|tx: Tx| async move {
            Group::create(&tx, group("outer 1")).await?;
            // An inner failure, here a constraint the database enforces
            // (which on PostgreSQL aborts the transaction unless rolled
            // back to a savepoint), leaves the outer work.
            let inner = tx
                .transaction(|inner: Tx| async move {
                    assert_eq!(inner.level(), 2);
                    Group::create(&inner, group("inner 1")).await?;
                    Group::create(&inner, group("outer 1")).await?;
                    Ok::<_, Error>(())
                })
                .await;
            assert!(matches!(inner, Err(Error::UniqueViolation { .. })));
            // An inner success is kept, two levels deep too.
            tx.transaction(|inner: Tx| async move {
                Group::create(&inner, group("inner 2")).await?;
                inner
                    .transaction(|deeper: Tx| async move {
                        Group::create(&deeper, group("deeper")).await?;
                        Err::<(), _>(Error::Usage {
                            context: Default::default(),
                            reason: "changed my mind".into(),
                        })
                    })
                    .await
                    .expect_err("deeper rolled back");
                Ok::<_, Error>(())
            })
            .await?;
            // An explicit savepoint dropped unfinished is undone before the
            // next statement.
            {
                let savepoint = tx.begin().await?;
                Group::create(&savepoint, group("dropped")).await?;
            }
            Group::create(&tx, group("outer 2")).await?;
            // A savepoint's future dropped halfway.
            let _ = tokio::time::timeout(
                Duration::from_millis(200),
                tx.transaction(|inner: Tx| async move {
                    Group::create(&inner, group("timed out")).await?;
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    Ok::<_, Error>(())
                }),
            )
            .await;
            Group::create(&tx, group("outer 3")).await?;
            Ok::<_, Error>(())
        })
        .await
        .expect("outer committed");
        assert_eq!(
            names(db).await,
            ["inner 2", "outer 1", "outer 2", "outer 3"]
        );

        // Explicit form: commit a savepoint, roll back the transaction.
        let tx = db.begin().await.expect("begin");
        let savepoint = tx.begin().await.expect("savepoint");
        Group::create(&savepoint, group("kept until rollback"))
            .await
            .expect("created");
        savepoint.commit().await.expect("released");
        Group::create(&tx, group("x")).await.expect("created");
        tx.rollback().await.expect("rolled back");
        assert_eq!(names(db).await.len(), 4);
        t
    })
    .await;
}

#[tokio::test]
async fn misuse_is_refused() {
    on_every_backend("misuse_is_refused", |t| async move {
        schema(&t).await;
        let db = &t.db;
        let tx = db.begin().await.expect("begin");
        let savepoint = tx.begin().await.expect("savepoint");
        let error = Group::create(&tx, group("through the outer handle"))
            .await
            .expect_err("a savepoint is open");
        assert!(error.to_string().contains("savepoint"), "{error}");
        savepoint.rollback().await.expect("rolled back");
        Group::create(&tx, group("fine"))
            .await
            .expect("outer again");

        let leaked = db
            .transaction(|inner: Tx| async move {
                let error = inner.begin().await?.commit().await;
                assert!(error.is_ok(), "explicit savepoints inside a closure work");
                Ok::<_, Error>(inner)
            })
            .await
            .expect("committed");
        let error = Group::count(&leaked, Expr::all()).await.expect_err("ended");
        assert!(error.to_string().contains("ended"), "{error}");
        let error = leaked.commit().await.expect_err("scoped");
        assert!(matches!(error, Error::Usage { .. }), "{error:?}");
        tx.commit().await.expect("commit");
        assert_eq!(names(db).await, ["fine"]);
        t
    })
    .await;
}

/// Two transactions each read the rows of a kind, then insert one: a write
/// skew. Run together (both read before either writes) one of them must
/// fail: PostgreSQL SERIALIZABLE reports a serialization failure, MariaDB
/// SERIALIZABLE a deadlock, SQLite a busy or locked database. `run_tx`
/// retries it and both rows land; a unique violation is never retried.
#[tokio::test]
async fn run_tx_retries_conflicts_only() {
    on_every_backend("run_tx_retries_conflicts_only", |t| async move {
        schema(&t).await;
        let db = &t.db;
        let barrier = Arc::new(tokio::sync::Barrier::new(2));
        let attempts = Arc::new(AtomicUsize::new(0));
        // SQLite is serializable anyway; its `Serializable` (BEGIN
        // IMMEDIATE) would make the second writer wait before it reads,
        // so there would be no skew to detect.
        let options = match t.dialect {
            Dialect::Sqlite => TxOptions::default(),
            _ => TxOptions::isolation(Isolation::Serializable),
        };
        let retry = Retry {
            options,
            attempts: 10,
            ..Retry::default()
        };
        let writer = |name: &'static str| {
            let (db, barrier, attempts) = (db.clone(), barrier.clone(), attempts.clone());
            tokio::spawn(async move {
                let mut first = true;
                db.run_tx(retry, |tx: Tx| {
                    let barrier = barrier.clone();
                    let wait = std::mem::take(&mut first);
                    attempts.fetch_add(1, Ordering::SeqCst);
                    async move {
                        let seen = Group::count(&tx, Group::NAME.starts_with("w")).await?;
                        if wait {
                            barrier.wait().await;
                        }
                        let input = GroupCreate {
                            name: name.into(),
                            position: Patch::Set(i32::try_from(seen).unwrap_or(i32::MAX)),
                        };
                        Group::create(&tx, input).await?;
                        Ok::<_, Error>(seen)
                    }
                })
                .await
            })
        };
        let (a, b) = (writer("w1"), writer("w2"));
        // A hang here would be a lock nobody detects: fail instead.
        let limit = Duration::from_secs(60);
        let seen_a = tokio::time::timeout(limit, a).await.expect("w1 in time");
        let seen_b = tokio::time::timeout(limit, b).await.expect("w2 in time");
        let seen_a = seen_a.expect("task").expect("w1 committed");
        let seen_b = seen_b.expect("task").expect("w2 committed");
        assert_eq!(names(db).await, ["w1", "w2"]);
        // At least one retry; a retry can clash again while the other
        // transaction is still finishing, so more are fine.
        let attempts = attempts.load(Ordering::SeqCst);
        assert!(attempts >= 3, "{attempts} attempts on {}", t.dialect);
        let mut seen = [seen_a, seen_b];
        seen.sort();
        assert_eq!(seen, [0, 1], "the retried one saw the other's row");

        let unique_attempts = Arc::new(AtomicUsize::new(0));
        let counter = unique_attempts.clone();
        let error = db
            .run_tx(retry, move |tx: Tx| {
                counter.fetch_add(1, Ordering::SeqCst);
                async move { Group::create(&tx, group("w1")).await }
            })
            .await
            .expect_err("duplicate");
        assert!(matches!(error, Error::UniqueViolation { .. }), "{error:?}");
        assert!(!error.is_retryable());
        assert_eq!(unique_attempts.load(Ordering::SeqCst), 1, "not retried");
        t
    })
    .await;
}

/// The server kills the transaction's connection halfway: nothing of the
/// transaction is written, and the next call reports a typed error.
/// (SQLite runs in-process: there is no connection to kill, and the test
/// says so rather than pass.)
#[tokio::test]
async fn killed_connection_writes_nothing() {
    on_every_backend("killed_connection_writes_nothing", |t| async move {
        if t.dialect == Dialect::Sqlite {
            crate::support::announce(
                "killed_connection_writes_nothing: not applicable on sqlite (in-process, no server connection)",
            );
            return t;
        }
        schema(&t).await;
        let db = &t.db;
        let tx = db.begin().await.expect("begin");
        Group::create(&tx, group("half 1")).await.expect("in tx");
        Group::create(&tx, group("half 2")).await.expect("in tx");

        // Another connection ends every other session on this database.
        let admin = Db::connect(&t.url()).await.expect("admin");
        match t.dialect {
            Dialect::Postgres => {
                let sql = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                           WHERE datname = current_database() AND pid <> pg_backend_pid()";
                let mut conn = admin.acquire().await.expect("connection");
                let pool = conn.as_postgres().expect("postgres");
                entable::sqlx::query(sql)
                    .fetch_all(pool)
                    .await
                    .expect("terminated");
            }
            _ => {
                let mut conn = admin.acquire().await.expect("connection");
                let pool = conn.as_mysql().expect("mysql");
                let ids: Vec<i64> = entable::sqlx::query_scalar(
                    "SELECT id FROM information_schema.processlist \
                     WHERE db = DATABASE() AND id <> CONNECTION_ID()",
                )
                .fetch_all(&mut *pool)
                .await
                .expect("sessions");
                assert!(!ids.is_empty(), "the transaction's session is listed");
                for id in ids {
                    let kill = format!("KILL {id}");
                    entable::sqlx::raw_sql(entable::sqlx::AssertSqlSafe(kill))
                        .execute(&mut *pool)
                        .await
                        .expect("killed");
                }
            }
        }
        admin.close().await;

        let error = Group::create(&tx, group("after the kill"))
            .await
            .expect_err("the connection is gone");
        assert!(
            matches!(error, Error::Database { .. }),
            "a database error, not a panic: {error:?}"
        );
        // Nothing of the transaction was committed: running it again is safe.
        assert!(error.is_retryable(), "{error:?}");
        let commit = tx.commit().await;
        assert!(
            matches!(commit, Err(Error::TxAborted { .. })),
            "the transaction cannot commit: {commit:?}"
        );
        // The pool's other connections were killed too: after the failure
        // each is checked before use, so no later call meets a dead one.
        for _ in 0..3 {
            let groups = Group::query().all(db).await.expect("no stale connection");
            assert!(groups.is_empty(), "nothing of the transaction was written");
        }
        t
    })
    .await;
}
