//! The rusqlite driver (`entable::driver::Lite`, called inline) against
//! sqlx-sqlite under entable's statement path, both on a held connection
//! to one SQLite file in WAL mode, decoding rows into a derived entity the
//! same way (`Persist::decode`). What it measures is the driver: the call
//! and row costs the issue 19 plan expects the rusqlite driver to remove.
//!
//! ```sh
//! cargo run --release --example lite_speed
//! ```
//!
//! `ROUNDS` and `CALLS` size the runs; rounds alternate the drivers.

use entable_bench::timing::{env_count, median};
use std::time::{Duration, Instant};

use entable::driver::lite::LiteConn;
use entable::driver::{Backend, Lite, Sqlite, statement};
use entable::prelude::*;
use entable::repo::Persist;

#[derive(Entity, Debug, Clone)]
#[entity(table = "lite_users")]
pub struct LiteUser {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(max_length = 80)]
    pub name: String,
    pub hair_color: Option<String>,
    pub visits: i64,
}

const ROWS: i64 = 10_000;
const BY_KEY: &str =
    r#"SELECT "id", "name", "hair_color", "visits" FROM "lite_users" WHERE "id" = ?"#;
const ALL: &str = r#"SELECT "id", "name", "hair_color", "visits" FROM "lite_users""#;

async fn by_key<B: Backend>(conn: &mut B::Conn, key: i64) -> LiteUser
where
    LiteUser: Persist<B>,
    i64: entable::driver::ColumnValue<B>,
{
    let mut args = B::Args::default();
    entable::driver::bind::<B, i64>(&mut args, &key).expect("bound");
    let row = statement::fetch_one::<B>(conn, BY_KEY, args)
        .await
        .expect("a row");
    <LiteUser as Persist<B>>::decode(&row).expect("decoded")
}

async fn all<B: Backend>(conn: &mut B::Conn) -> usize
where
    LiteUser: Persist<B>,
{
    let rows = statement::fetch_all::<B>(conn, ALL, B::Args::default())
        .await
        .expect("rows");
    let users: Vec<LiteUser> = rows
        .iter()
        .map(|row| <LiteUser as Persist<B>>::decode(row).expect("decoded"))
        .collect();
    users.len()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let rounds = env_count("ROUNDS", 7);
    let calls = env_count("CALLS", 2_000);
    let dir = std::env::temp_dir().join(format!("entable-lite-speed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("speed.db");
    let url = format!("sqlite:{}", path.display());

    let sqlx_driver = entable::PoolConfig {
        sqlite_driver: entable::SqliteDriver::Sqlx,
        ..entable::PoolConfig::default()
    };
    let db = Db::connect_with(&url, sqlx_driver)
        .await
        .expect("sqlx pool");
    Schema::of([LiteUser::table()])
        .expect("schema")
        .create_all(&db)
        .await
        .expect("table");
    let rows = (0..ROWS).map(|i| LiteUserCreate {
        name: format!("user {i}"),
        hair_color: (i % 3 == 0).then(|| "brown".to_owned()),
        visits: i,
    });
    LiteUser::bulk_insert(&db, rows.collect::<Vec<_>>())
        .await
        .expect("rows");
    let pool = db.as_sqlite().expect("a SQLite pool");
    let mut sqlx_conn = pool.acquire().await.expect("sqlx connection");
    let mut lite = LiteConn::open(&path).expect("rusqlite connection");
    for conn in [&mut *sqlx_conn] {
        statement::execute_script::<Sqlite>(
            conn,
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL",
        )
        .await
        .expect("pragmas");
    }
    statement::execute_script::<Lite>(
        &mut lite,
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL",
    )
    .await
    .expect("pragmas");

    let (mut key_sqlx, mut key_lite, mut all_sqlx, mut all_lite) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let key = |i: usize| 1 + (i as i64 * 7_919 + round as i64) % ROWS;
        let start = Instant::now();
        for i in 0..calls {
            assert_eq!(by_key::<Sqlite>(&mut sqlx_conn, key(i)).await.id, key(i));
        }
        key_sqlx.push(start.elapsed() / calls as u32);
        let start = Instant::now();
        for i in 0..calls {
            assert_eq!(by_key::<Lite>(&mut lite, key(i)).await.id, key(i));
        }
        key_lite.push(start.elapsed() / calls as u32);
        let start = Instant::now();
        assert_eq!(all::<Sqlite>(&mut sqlx_conn).await, ROWS as usize);
        all_sqlx.push(start.elapsed());
        let start = Instant::now();
        assert_eq!(all::<Lite>(&mut lite).await, ROWS as usize);
        all_lite.push(start.elapsed());
    }
    let line = |name: &str, sqlx: Vec<Duration>, lite: Vec<Duration>| {
        let (s, l) = (median(sqlx), median(lite));
        println!(
            "| {name} | {s:.2?} | {l:.2?} | {:.2} |",
            l.as_secs_f64() / s.as_secs_f64()
        );
    };
    println!("| workload | sqlx-sqlite | rusqlite (Lite, inline) | Lite ÷ sqlx |");
    println!("|---|--:|--:|--:|");
    line("one row by key (per call)", key_sqlx, key_lite);
    line("all 10,000 rows, decoded", all_sqlx, all_lite);
    drop(sqlx_conn);
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
