//! entable's own pool of server connections (PostgreSQL, MySQL/MariaDB):
//! the most recently used connection first, no round trip to return a
//! connection whose call finished, and a connection left mid-call or with
//! a queued rollback settled before it is idle. SQLite's pool (the rusqlite
//! driver's) has no server sessions to tell apart: the tests say so there.

use std::time::Duration;

use entable::backend::Dialect;
use entable::prelude::*;
use entable::{PoolConfig, RawSql};

use crate::support::{TestDb, announce, dialect_sql, on_every_backend};

/// The server's id of the session a call runs on.
async fn session(db: &Db) -> i64 {
    let sql = match db.dialect() {
        Dialect::Postgres => "SELECT CAST(pg_backend_pid() AS BIGINT)",
        _ => "SELECT CAST(CONNECTION_ID() AS SIGNED)",
    };
    RawSql::new(sql)
        .fetch_scalar(db)
        .await
        .expect("session id")
        .expect("one row")
}

fn not_on_sqlite(test: &str, t: &TestDb) -> bool {
    if t.dialect == Dialect::Sqlite {
        announce(&format!(
            "{test}: server sessions are PostgreSQL's and MySQL's; not applicable on sqlite"
        ));
        return true;
    }
    false
}

#[tokio::test]
async fn the_most_recently_used_connection_serves_the_next_call() {
    on_every_backend(
        "the_most_recently_used_connection_serves_the_next_call",
        |t: TestDb| async move {
            if not_on_sqlite("the_most_recently_used_connection_serves_the_next_call", &t) {
                return t;
            }
            let config = PoolConfig {
                max_connections: 4,
                ..PoolConfig::default()
            };
            let db = Db::connect_with(&t.url(), config).await.expect("db");
            // Four connections open at once, then back in the pool.
            let held = futures_util::future::join_all((0..4).map(|_| db.acquire())).await;
            let held: Vec<_> = held.into_iter().map(|c| c.expect("conn")).collect();
            drop(held);
            let first = session(&db).await;
            for _ in 0..20 {
                assert_eq!(
                    session(&db).await,
                    first,
                    "a call after a call runs on the same session on {}",
                    t.dialect
                );
            }
            db.close().await;
            t
        },
    )
    .await;
}

#[tokio::test]
async fn a_dropped_transaction_releases_its_locks_at_once() {
    on_every_backend(
        "a_dropped_transaction_releases_its_locks_at_once",
        |t: TestDb| async move {
            if not_on_sqlite("a_dropped_transaction_releases_its_locks_at_once", &t) {
                return t;
            }
            let db = &t.db;
            RawSql::new("CREATE TABLE pool_locks (id INT PRIMARY KEY, n INT NOT NULL)")
                .execute(db)
                .await
                .expect("table");
            RawSql::new(dialect_sql(
                t.dialect,
                "INSERT INTO pool_locks VALUES (1, 0)",
            ))
            .execute(db)
            .await
            .expect("row");

            // A transaction takes the row's lock and is dropped, never
            // committed; its connection is not used again.
            let tx = db.begin().await.expect("begin");
            RawSql::new(dialect_sql(
                t.dialect,
                "UPDATE pool_locks SET n = 1 WHERE id = ?",
            ))
            .bind(1i32)
            .execute(&tx)
            .await
            .expect("locked");
            drop(tx);

            // Another pool's session may write the row: the rollback was
            // sent when the connection came back, not at its next use.
            let other = Db::connect(&t.url()).await.expect("other");
            let mut conn = other.acquire().await.expect("conn");
            let short_wait = match t.dialect {
                Dialect::Postgres => "SET lock_timeout = '2s'",
                _ => "SET SESSION innodb_lock_wait_timeout = 2",
            };
            RawSql::new(short_wait)
                .execute(&mut conn)
                .await
                .expect("lock timeout");
            RawSql::new(dialect_sql(
                t.dialect,
                "UPDATE pool_locks SET n = 2 WHERE id = ?",
            ))
            .bind(1i32)
            .execute(&mut conn)
            .await
            .expect("the dropped transaction's lock is gone");
            let n: Option<i32> = RawSql::new("SELECT n FROM pool_locks")
                .fetch_scalar(&mut conn)
                .await
                .expect("n");
            assert_eq!(
                n,
                Some(2),
                "the dropped transaction's write was rolled back"
            );
            drop(conn);
            other.close().await;
            t
        },
    )
    .await;
}

#[tokio::test]
async fn a_call_cut_off_mid_statement_leaves_no_stale_result() {
    on_every_backend(
        "a_call_cut_off_mid_statement_leaves_no_stale_result",
        |t: TestDb| async move {
            if not_on_sqlite("a_call_cut_off_mid_statement_leaves_no_stale_result", &t) {
                return t;
            }
            let config = PoolConfig {
                max_connections: 1,
                ..PoolConfig::default()
            };
            let db = Db::connect_with(&t.url(), config).await.expect("db");
            let slow = match t.dialect {
                Dialect::Postgres => "SELECT CAST(41 AS BIGINT) FROM pg_sleep(0.3)",
                _ => "SELECT CAST(41 + SLEEP(0.3) AS SIGNED)",
            };
            for _ in 0..3 {
                let cut = tokio::time::timeout(
                    Duration::from_millis(50),
                    RawSql::new(slow).fetch_scalar::<i64>(&db),
                )
                .await;
                assert!(cut.is_err(), "the slow call was cut off");
                // The one connection comes back; its next call reads its own
                // result, not the slow one's.
                let next = match t.dialect {
                    Dialect::Postgres => "SELECT CAST(42 AS BIGINT)",
                    _ => "SELECT CAST(42 AS SIGNED)",
                };
                let n: Option<i64> = RawSql::new(next)
                    .fetch_scalar(&db)
                    .await
                    .expect("next call");
                assert_eq!(n, Some(42), "on {}", t.dialect);
            }
            db.close().await;
            t
        },
    )
    .await;
}

#[tokio::test]
async fn connections_past_their_lifetime_are_replaced() {
    on_every_backend(
        "connections_past_their_lifetime_are_replaced",
        |t: TestDb| async move {
            if not_on_sqlite("connections_past_their_lifetime_are_replaced", &t) {
                return t;
            }
            let config = PoolConfig {
                max_lifetime: Some(Duration::from_millis(300)),
                ..PoolConfig::default()
            };
            let db = Db::connect_with(&t.url(), config).await.expect("db");
            let first = session(&db).await;
            assert_eq!(session(&db).await, first, "young: kept");
            tokio::time::sleep(Duration::from_millis(400)).await;
            assert_ne!(session(&db).await, first, "old: replaced on {}", t.dialect);

            // A full pool makes the next caller wait, up to the timeout.
            let config = PoolConfig {
                max_connections: 1,
                acquire_timeout: Duration::from_millis(200),
                ..PoolConfig::default()
            };
            let small = Db::connect_with(&t.url(), config).await.expect("db");
            let held = small.acquire().await.expect("the one connection");
            let waited = small.acquire().await;
            assert!(waited.is_err(), "no second connection on {}", t.dialect);
            drop(held);
            small.acquire().await.expect("free again");
            small.close().await;
            db.close().await;
            t
        },
    )
    .await;
}
