//! Bulk insert on SQLite: entable's `bulk_insert` on its default driver
//! (rusqlite) against a hand-written rusqlite loop, one prepared `INSERT`
//! executed per row inside one transaction — the fastest way to load rows
//! through SQLite's C API one by one. Both on a file in WAL mode with
//! `synchronous = NORMAL`, into the benchmark's `users` table.
//!
//! ```sh
//! cargo run --release --example lite_bulk
//! ```
//!
//! `ROWS` (default 100,000) and `ROUNDS` (default 5) size the runs; rounds
//! alternate the two, each into an emptied table.

use entable_bench::timing::{env_count, median};
use std::time::{Duration, Instant};

use entable::prelude::*;
use entable::{LiteSync, PoolConfig, RawSql};
use entable_bench::contenders::entable::{User, UserCreate};

fn name(i: usize) -> String {
    format!("user {i}")
}

fn hair(i: usize) -> Option<&'static str> {
    i.is_multiple_of(2).then_some("black")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> entable_bench::Result<()> {
    let (rows, rounds) = (env_count("ROWS", 100_000), env_count("ROUNDS", 5));
    let dir = std::env::temp_dir().join(format!("entable-lite-bulk-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("bulk.sqlite3");
    let config = PoolConfig {
        sqlite_synchronous: LiteSync::Normal,
        ..PoolConfig::default()
    };
    let db = Db::connect_with(&format!("sqlite://{}", path.display()), config).await?;
    entable_bench::contenders::entable::schema()?
        .create_all(&db)
        .await?;
    let mut raw = rusqlite::Connection::open(&path)?;
    raw.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")?;

    let (mut by_entable, mut by_hand) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        RawSql::new("DELETE FROM users").execute(&db).await?;
        let start = Instant::now();
        let inserted = User::bulk_insert(
            &db,
            (0..rows).map(|i| UserCreate {
                name: name(i),
                hair_color: hair(i).map(str::to_owned),
            }),
        )
        .await?;
        by_entable.push(start.elapsed());
        assert_eq!(inserted, rows as u64);

        RawSql::new("DELETE FROM users").execute(&db).await?;
        let start = Instant::now();
        let tx = raw.transaction()?;
        {
            let mut insert =
                tx.prepare_cached("INSERT INTO users (name, hair_color) VALUES (?1, ?2)")?;
            for i in 0..rows {
                insert.execute((name(i), hair(i)))?;
            }
        }
        tx.commit()?;
        by_hand.push(start.elapsed());
    }
    let count: Option<i64> = RawSql::new("SELECT COUNT(*) FROM users")
        .fetch_scalar(&db)
        .await?;
    assert_eq!(count, Some(rows as i64));
    let (e, h) = (median(by_entable), median(by_hand));
    let rate = |d: Duration| rows as f64 / d.as_secs_f64();
    println!("| {rows} rows into `users` | time | rows/s |");
    println!("|---|--:|--:|");
    println!(
        "| rusqlite by hand: one prepared INSERT per row, one transaction | {h:.2?} | {:.0} |",
        rate(h)
    );
    println!(
        "| entable `bulk_insert` (rusqlite driver) | {e:.2?} | {:.0} |",
        rate(e)
    );
    println!(
        "entable ÷ by hand: {:.2} of the time; {:.2} of the rate",
        e.as_secs_f64() / h.as_secs_f64(),
        rate(e) / rate(h)
    );
    db.close().await;
    drop(raw);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
