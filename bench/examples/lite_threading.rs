//! What `LiteThreading::BlockInPlace` costs per call: `get` by key through
//! a `Db` on the rusqlite driver, called from a task on a worker of a
//! multi-threaded runtime (as a request handler calls it), with each
//! threading mode, beside the same `Db` on sqlx-sqlite.
//!
//! ```sh
//! cargo run --release --example lite_threading
//! ```
//!
//! `ROUNDS` and `CALLS` size the runs; rounds alternate the modes.

use entable_bench::timing::{env_count, median};
use std::time::{Duration, Instant};

use entable::prelude::*;
use entable::{LiteSync, LiteThreading, PoolConfig, SqliteDriver};

#[derive(Entity, Debug, Clone)]
#[entity(table = "thread_users")]
pub struct ThreadUser {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(max_length = 80)]
    pub name: String,
    pub visits: i64,
}

const ROWS: i64 = 10_000;

/// `calls` gets by key on `db`, inside one spawned task; the mean per call.
async fn per_call(db: &Db, calls: usize, round: usize) -> Duration {
    let db = db.clone();
    tokio::spawn(async move {
        let start = Instant::now();
        for i in 0..calls {
            let key = 1 + (i as i64 * 7_919 + round as i64) % ROWS;
            let user = ThreadUser::get(&db, key).await.expect("get");
            assert_eq!(user.map(|u| u.id), Some(key));
        }
        start.elapsed() / calls as u32
    })
    .await
    .expect("task")
}

fn main() {
    let rounds = env_count("ROUNDS", 7);
    let calls = env_count("CALLS", 5_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = std::env::temp_dir().join(format!("entable-lite-threads-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("sqlite://{}", dir.join("users.sqlite3").display());
        let config = |driver, threading| PoolConfig {
            sqlite_driver: driver,
            sqlite_threading: threading,
            sqlite_synchronous: LiteSync::Normal,
            ..PoolConfig::default()
        };
        let block = Db::connect_with(
            &url,
            config(SqliteDriver::Rusqlite, LiteThreading::BlockInPlace),
        )
        .await
        .expect("db");
        Schema::of([ThreadUser::table()])
            .expect("schema")
            .create_all(&block)
            .await
            .expect("table");
        let rows = (0..ROWS).map(|i| ThreadUserCreate {
            name: format!("user {i}"),
            visits: i,
        });
        ThreadUser::bulk_insert(&block, rows.collect::<Vec<_>>())
            .await
            .expect("rows");
        let inline = Db::connect_with(&url, config(SqliteDriver::Rusqlite, LiteThreading::Inline))
            .await
            .expect("db");
        let sqlx = Db::connect_with(&url, config(SqliteDriver::Sqlx, LiteThreading::Inline))
            .await
            .expect("db");
        let (mut b, mut i, mut s) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..rounds {
            b.push(per_call(&block, calls, round).await);
            i.push(per_call(&inline, calls, round).await);
            s.push(per_call(&sqlx, calls, round).await);
        }
        let (b, i, s) = (median(b), median(i), median(s));
        println!("| `get` by key, from a task on a 2-worker runtime | per call |");
        println!("|---|--:|");
        println!("| rusqlite, `BlockInPlace` (default) | {b:.2?} |");
        println!("| rusqlite, `Inline` | {i:.2?} |");
        println!("| sqlx-sqlite | {s:.2?} |");
        for db in [block, inline, sqlx] {
            db.close().await;
        }
        let _ = std::fs::remove_dir_all(&dir);
    });
}
