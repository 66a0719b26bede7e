//! What only the rusqlite driver decides: where a call runs
//! (`LiteThreading`), what a panic inside a call becomes, how URLs are read.
//! The behavioural suite covers the rest on every driver.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use entable::prelude::*;
use entable::{Error, LiteThreading, PoolConfig, RawSql};

/// A statement that keeps SQLite busy for a while (counts to `n`).
fn slow_count(n: i64) -> RawSql {
    RawSql::new(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) \
         SELECT COUNT(*) FROM c",
    )
    .bind(n)
}

/// Runs a slow statement on a one-worker multi-threaded runtime beside a
/// ticker task; returns how long the statement took and the longest gap
/// between ticks while it ran.
fn longest_stall(threading: LiteThreading) -> (Duration, Duration) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let config = PoolConfig {
            sqlite_threading: threading,
            ..PoolConfig::default()
        };
        let db = Db::connect_with("sqlite::memory:", config)
            .await
            .expect("db");
        let running = Arc::new(AtomicBool::new(true));
        let ticker = tokio::spawn({
            let running = running.clone();
            async move {
                let mut longest = Duration::ZERO;
                let mut last = Instant::now();
                while running.load(Ordering::SeqCst) {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    longest = longest.max(last.elapsed());
                    last = Instant::now();
                }
                longest
            }
        });
        // Let the ticker start on the worker first.
        tokio::time::sleep(Duration::from_millis(20)).await;
        // The statement runs inside a task of its own, as a request
        // handler would: the ticker shares its worker.
        let query = tokio::spawn(async move {
            let started = Instant::now();
            let n: Option<i64> = slow_count(2_000_000)
                .fetch_scalar(&db)
                .await
                .expect("count");
            assert_eq!(n, Some(2_000_000));
            started.elapsed()
        });
        let took = query.await.expect("query task");
        running.store(false, Ordering::SeqCst);
        (took, ticker.await.expect("ticker"))
    })
}

/// `BlockInPlace` (the default) hands the worker's other tasks to another
/// thread while SQLite works; `Inline` holds them until the statement ends.
/// Both measured, so the test shows it can tell the two apart.
#[test]
fn block_in_place_keeps_other_tasks_running() {
    let (took, stall) = longest_stall(LiteThreading::BlockInPlace);
    let (inline_took, inline_stall) = longest_stall(LiteThreading::Inline);
    crate::support::announce(&format!(
        "block_in_place_keeps_other_tasks_running: sqlite (rusqlite) only; statement {took:?}, longest stall {stall:?} (inline: {inline_took:?}, {inline_stall:?})"
    ));
    assert!(
        inline_stall >= inline_took.mul_f64(0.8),
        "inline, the ticker waits for the statement: {inline_stall:?} of {inline_took:?}"
    );
    assert!(
        stall < took / 2,
        "block_in_place, the ticker runs on: longest stall {stall:?} while the statement took {took:?}"
    );
}

#[derive(Entity, Debug, Clone)]
#[entity(hooks)]
pub struct Fragile {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub name: String,
}

impl entable::Hooks for Fragile {
    async fn after_create(_exec: Exec<'_>, row: &Fragile) -> entable::Result<()> {
        if row.name == "panic" {
            panic!("a hook panicked on {}", row.name);
        }
        Ok(())
    }
}

/// A panic inside a call (in a hook, inside the change's transaction)
/// unwinds to the caller's task, as on every driver; the change is rolled
/// back and the pool, of one connection, goes on serving, in both
/// threading modes, with and without a transaction around the call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_inside_a_call_unwinds_and_the_pool_recovers() {
    for threading in [LiteThreading::BlockInPlace, LiteThreading::Inline] {
        let config = PoolConfig {
            max_connections: 1,
            sqlite_threading: threading,
            ..PoolConfig::default()
        };
        let db = Db::connect_with("sqlite::memory:", config)
            .await
            .expect("db");
        Schema::of([Fragile::table()])
            .expect("schema")
            .create_all(&db)
            .await
            .expect("tables");
        let panicked = tokio::spawn({
            let db = db.clone();
            async move {
                Fragile::create(
                    &db,
                    FragileCreate {
                        name: "panic".into(),
                    },
                )
                .await
            }
        })
        .await
        .expect_err("the hook panicked");
        assert!(panicked.is_panic(), "{threading:?}: {panicked}");
        let in_tx = tokio::spawn({
            let db = db.clone();
            async move {
                let tx = db.begin().await?;
                Fragile::create(
                    &tx,
                    FragileCreate {
                        name: "kept?".into(),
                    },
                )
                .await?;
                Fragile::create(
                    &tx,
                    FragileCreate {
                        name: "panic".into(),
                    },
                )
                .await?;
                tx.commit().await
            }
        })
        .await
        .expect_err("the hook panicked");
        assert!(in_tx.is_panic(), "{threading:?}: {in_tx}");
        // One connection in the pool: it came back, settled.
        Fragile::create(
            &db,
            FragileCreate {
                name: "fine".into(),
            },
        )
        .await
        .expect("the pool recovered");
        let names: Vec<String> = RawSql::new("SELECT name FROM fragile ORDER BY id")
            .fetch_column(&db)
            .await
            .expect("names");
        assert_eq!(
            names,
            ["fine"],
            "{threading:?}: nothing of the panicked calls stayed"
        );
    }
    crate::support::announce(
        "a_panic_inside_a_call_unwinds_and_the_pool_recovers: sqlite (rusqlite) only, both threading modes",
    );
}

/// sqlx-sqlite's URL options are read the same way; others are refused.
#[tokio::test]
async fn url_options_are_read_or_refused() {
    let dir = std::env::temp_dir().join(format!("entable-url-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("options.sqlite3");
    let _ = std::fs::remove_file(&file);
    let url = format!("sqlite://{}", file.display());

    // `mode=rw` does not create a missing file.
    let error = Db::connect(&format!("{url}?mode=rw"))
        .await
        .expect_err("missing");
    assert!(error.to_string().contains("unable to open"), "{error}");
    // Created by default, in WAL mode.
    let db = Db::connect(&url).await.expect("created");
    let mode: Option<String> = RawSql::new("PRAGMA journal_mode")
        .fetch_scalar(&db)
        .await
        .expect("mode");
    assert_eq!(mode.as_deref(), Some("wal"));
    let sync: Option<i64> = RawSql::new("PRAGMA synchronous")
        .fetch_scalar(&db)
        .await
        .expect("sync");
    assert_eq!(sync, Some(2), "FULL by default");
    let config = PoolConfig {
        sqlite_synchronous: entable::LiteSync::Normal,
        ..PoolConfig::default()
    };
    let normal = Db::connect_with(&url, config).await.expect("normal");
    let sync: Option<i64> = RawSql::new("PRAGMA synchronous")
        .fetch_scalar(&normal)
        .await
        .expect("sync");
    assert_eq!(sync, Some(1), "NORMAL when asked");
    normal.close().await;
    RawSql::new("CREATE TABLE t (n INTEGER)")
        .execute(&db)
        .await
        .expect("table");
    db.close().await;
    // Read-only: reads work, writes are refused.
    let ro = Db::connect(&format!("{url}?mode=ro"))
        .await
        .expect("read-only");
    let none: Option<i64> = RawSql::new("SELECT n FROM t")
        .fetch_scalar(&ro)
        .await
        .expect("read");
    assert_eq!(none, None);
    let error = RawSql::new("INSERT INTO t (n) VALUES (1)")
        .execute(&ro)
        .await
        .expect_err("read-only");
    assert!(error.to_string().contains("readonly"), "{error}");
    ro.close().await;
    // Unknown options and values are refused, not ignored.
    for bad in ["?journal=wal", "?mode=fast"] {
        let error = Db::connect(&format!("{url}{bad}")).await.expect_err(bad);
        assert!(error.to_string().contains("SQLite URL"), "{bad}: {error}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A transaction dropped without `commit` or `rollback` (an early `?`) is
/// rolled back as its connection goes back to the pool, at once: on
/// `sqlite::memory:` the next statement on another connection reads the
/// table (sqlx-sqlite's shared-cache memory database failed it with
/// "database table is locked").
#[tokio::test]
async fn a_dropped_transaction_never_locks_the_memory_database() {
    let db = Db::connect("sqlite::memory:").await.expect("db");
    RawSql::new("CREATE TABLE t (n INTEGER)")
        .execute(&db)
        .await
        .expect("table");
    for _ in 0..20 {
        let tx = db.begin().await.expect("begin");
        RawSql::new("INSERT INTO t (n) VALUES (1)")
            .execute(&tx)
            .await
            .expect("insert");
        drop(tx);
        let count: Option<i64> = RawSql::new("SELECT COUNT(*) FROM t")
            .fetch_scalar(&db)
            .await
            .expect("the table reads at once");
        assert_eq!(count, Some(0), "rolled back");
    }
}

/// A statement never yields, so no timer can stop it: SQLite's progress
/// handler interrupts it at the call's deadline, which is reported as the
/// timeout it is, and the pool goes on serving.
#[tokio::test]
async fn statement_timeout_interrupts_a_running_statement() {
    for threading in [LiteThreading::BlockInPlace, LiteThreading::Inline] {
        let config = PoolConfig {
            statement_timeout: Some(Duration::from_millis(200)),
            sqlite_threading: threading,
            max_connections: 1,
            ..PoolConfig::default()
        };
        let db = Db::connect_with("sqlite::memory:", config)
            .await
            .expect("db");
        let started = Instant::now();
        // Counting this far takes seconds.
        let outcome = slow_count(200_000_000).fetch_scalar::<i64>(&db).await;
        let took = started.elapsed();
        assert!(
            matches!(outcome, Err(Error::Timeout { .. })),
            "{threading:?}: {outcome:?}"
        );
        assert!(
            took < Duration::from_secs(2),
            "{threading:?}: interrupted at the deadline, not at the end ({took:?})"
        );
        // The next call on the (one) connection has its own deadline and
        // is not interrupted.
        let n: Option<i64> = slow_count(1_000)
            .fetch_scalar(&db)
            .await
            .expect("next call");
        assert_eq!(n, Some(1_000), "{threading:?}");

        // Inside a transaction: the timeout ends it, as on every driver.
        let tx = db.begin().await.expect("begin");
        let outcome = slow_count(200_000_000).fetch_scalar::<i64>(&tx).await;
        assert!(matches!(outcome, Err(Error::Timeout { .. })), "{outcome:?}");
        assert!(
            tx.commit().await.is_err(),
            "a timed-out transaction cannot commit"
        );
        let n: Option<i64> = slow_count(10).fetch_scalar(&db).await.expect("pool serves");
        assert_eq!(n, Some(10));
    }
}
