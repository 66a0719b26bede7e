//! A timing harness for the anomalies of issue 19's short re-run, outside
//! criterion: each case runs its contenders in interleaved rounds in one
//! process and prints the median per call, so a busy machine shifts them
//! alike.
//!
//! ```sh
//! cargo run --release --example anomalies -- sqlite-update   # durability
//! cargo run --release --example anomalies -- pg-insert       # insert 100 users
//! cargo run --release --example anomalies -- pg-small        # by key, trivial N = 1
//! cargo run --release --example anomalies -- my-insert       # MariaDB insert 1 and 100 users
//! cargo run --release --example anomalies -- pg-reads        # by key, users ⟕ posts N = 100, search
//! cargo run --release --example anomalies -- my-reads        # the same on MariaDB
//! cargo run --release --example anomalies -- lite-insert     # SQLite insert 100 users
//! ```
//!
//! `ROUNDS` and `CALLS` (per contender per round) size the runs.

use entable_bench::timing::env_count;
use std::str::FromStr;
use std::time::{Duration, Instant};

use entable::prelude::*;
use entable_bench::Result;
use entable_bench::contender::Contender;
use entable_bench::contenders::entable::{User, UserCreate};
use entable_bench::contenders::{Diesel, Entable, RawSqlx, SeaOrm, SqlxCopy};
use entable_bench::durability;
use entable_bench::fixture::Fixture;
use entable_bench::model::NewUser;
use entable_bench::target::{Backend, Target};
use entable_bench::workload::{self, Workload};

/// Per-call times of one contender over every round.
struct Timings {
    name: String,
    calls: Vec<Duration>,
}

impl Timings {
    fn new(name: &str) -> Timings {
        Timings {
            name: name.to_owned(),
            calls: Vec::new(),
        }
    }

    fn median(&self) -> Duration {
        let mut sorted = self.calls.clone();
        sorted.sort();
        sorted.get(sorted.len() / 2).copied().unwrap_or_default()
    }

    fn quantile(&self, q: f64) -> Duration {
        let mut sorted = self.calls.clone();
        sorted.sort();
        let at = ((sorted.len() as f64 - 1.0) * q).round() as usize;
        sorted.get(at).copied().unwrap_or_default()
    }
}

fn print(title: &str, rows: &[Timings]) {
    println!("\n{title}");
    let base = rows.first().map(Timings::median).unwrap_or_default();
    for t in rows {
        let ratio = t.median().as_secs_f64() / base.as_secs_f64().max(1e-12);
        println!(
            "  {:<34} median {:>10.1} µs  p10 {:>10.1}  p90 {:>10.1}  ({:.2}× first, {} calls, {:.0} % over 50 µs)",
            t.name,
            t.median().as_secs_f64() * 1e6,
            t.quantile(0.1).as_secs_f64() * 1e6,
            t.quantile(0.9).as_secs_f64() * 1e6,
            ratio,
            t.calls.len(),
            100.0 * t.calls.iter().filter(|d| d.as_micros() > 50).count() as f64
                / t.calls.len().max(1) as f64
        );
    }
}

/// Times `calls` runs of `f`, each call separately.
async fn time<F, Fut>(into: &mut Timings, calls: usize, mut f: F) -> Result<()>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<()>>,
{
    for i in 0..calls {
        let start = Instant::now();
        f(i as u64).await?;
        into.calls.push(start.elapsed());
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let case = std::env::args().nth(1).unwrap_or_default();
    match case.as_str() {
        "sqlite-update" => sqlite_update().await,
        "pg-insert" => pg_insert().await,
        "pg-small" => pg_small().await,
        "my-insert" => my_insert().await,
        "pg-reads" => reads(Backend::Postgres).await,
        "my-reads" => reads(Backend::MySql).await,
        "lite-insert" => lite_insert().await,
        other => Err(format!(
            "unknown case `{other}`: sqlite-update, pg-insert, pg-small, my-insert, pg-reads, my-reads, lite-insert"
        )
        .into()),
    }
}

/// SQLite update by key: SQLite's defaults (as every contender had them
/// before the durability change) against the benchmark's settings.
async fn sqlite_update() -> Result<()> {
    let (rounds, calls) = (env_count("ROUNDS", 5), env_count("CALLS", 200));

    // Before: each library's defaults on a fresh file.
    let path = std::env::temp_dir().join(format!("entable_anomaly_{}.db", std::process::id()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let raw = sqlx::SqlitePool::connect(&url).await?;
    // sqlx's SQLite driver: this measures what its defaults were.
    let sqlx_driver = entable::PoolConfig {
        sqlite_driver: entable::SqliteDriver::Sqlx,
        ..entable::PoolConfig::default()
    };
    let db = Db::connect_with(&url, sqlx_driver).await?;
    entable_bench::contenders::entable::schema()?
        .create_all(&db)
        .await?;
    sqlx::query(
        "INSERT INTO users (name, hair_color) SELECT 'User ' || value, 'black' FROM json_each(?)",
    )
    .bind(serde_json::to_string(&(1..=100).collect::<Vec<i32>>())?)
    .execute(&raw)
    .await?;
    let mut diesel = {
        use diesel::Connection;
        diesel::SqliteConnection::establish(&path.display().to_string())?
    };
    println!("SQLite defaults (before):");
    println!(
        "  sqlx:    {:?}",
        durability::of_sqlx::<sqlx::Sqlite>(&mut *raw.acquire().await?, Backend::Sqlite).await?
    );
    println!(
        "  entable: {:?}",
        durability::of_sqlx::<sqlx::Sqlite>(
            &mut *db.as_sqlite().ok_or("sqlite")?.acquire().await?,
            Backend::Sqlite
        )
        .await?
    );
    {
        use diesel::RunQueryDsl;
        use entable_bench::contenders::diesel::schema::probe::{JournalMode, Synchronous};
        let mode =
            diesel::sql_query("PRAGMA journal_mode").get_result::<JournalMode>(&mut diesel)?;
        let sync =
            diesel::sql_query("PRAGMA synchronous").get_result::<Synchronous>(&mut diesel)?;
        println!(
            "  diesel:  journal_mode {} synchronous {}",
            mode.journal_mode, sync.synchronous
        );
    }
    drop(diesel);
    let (mut t_raw, mut t_ent) = (
        Timings::new("sqlx (defaults)"),
        Timings::new("entable (defaults)"),
    );
    for _ in 0..rounds {
        time(&mut t_raw, calls, |i| {
            let raw = &raw;
            async move {
                let _: (i32, String, Option<String>) = sqlx::query_as(
                    "UPDATE users SET name = $1 WHERE id = $2 RETURNING id, name, hair_color",
                )
                .bind(format!("Updated {i}"))
                .bind(workload::key(i))
                .fetch_one(raw)
                .await?;
                Ok(())
            }
        })
        .await?;
        time(&mut t_ent, calls, |i| {
            let db = &db;
            async move {
                let patch = entable_bench::contenders::entable::UserUpdate {
                    name: entable::dto::Patch::Set(format!("Updated {i}")),
                    ..Default::default()
                };
                User::update(db, workload::key(i), patch).await?;
                Ok(())
            }
        })
        .await?;
    }
    raw.close().await;
    db.close().await;
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }

    // After: the benchmark's own contenders and fixture.
    let target = Target::create(Backend::Sqlite).await?;
    let fixture = Fixture::create(&target).await?;
    let sqlx = RawSqlx::connect(&target).await?.ok_or("sqlx")?;
    let ent = Entable::connect(&target).await?.ok_or("entable")?;
    let sea = SeaOrm::connect(&target).await?.ok_or("SeaORM")?;
    let die = Diesel::connect(&target).await?.ok_or("Diesel")?;
    println!("benchmark settings (after):");
    println!("  sqlx:    {:?}", sqlx.durability().await?);
    println!("  entable: {:?}", ent.durability().await?);
    println!("  SeaORM:  {:?}", sea.durability().await?);
    println!("  diesel:  {:?}", die.durability().await?);
    fixture.prepare(Workload::Update, 1).await?;
    let mut rows = vec![
        Timings::new("sqlx (WAL, NORMAL)"),
        Timings::new("entable (WAL, NORMAL)"),
        Timings::new("SeaORM (WAL, NORMAL)"),
        Timings::new("Diesel (WAL, NORMAL)"),
    ];
    for _ in 0..rounds {
        macro_rules! run {
            ($slot:expr, $c:expr) => {
                time(&mut rows[$slot], calls, |i| {
                    let c = &$c;
                    async move {
                        c.update_user(workload::key(i), &format!("Updated {i}"))
                            .await?;
                        Ok(())
                    }
                })
                .await?
            };
        }
        run!(0, sqlx);
        run!(1, ent);
        run!(2, sea);
        run!(3, die);
    }
    sqlx.close().await;
    ent.close().await;
    sea.close().await;
    die.close().await;
    fixture.close().await;
    target.drop_database().await?;
    print("update one user by key, SQLite defaults", &[t_raw, t_ent]);
    print("update one user by key, benchmark settings", &rows);
    Ok(())
}

/// PostgreSQL insert of 100 users: raw sqlx's multi-row `INSERT` against
/// entable's `bulk_insert` as the contender calls it, and the short `COPY`
/// that `bulk_insert` used before it kept `COPY` for 2,000 rows or more
/// (the raw `COPY` baseline with 100 rows shows its cost).
async fn pg_insert() -> Result<()> {
    let (rounds, calls) = (env_count("ROUNDS", 3), env_count("CALLS", 30));
    let target = Target::create(Backend::Postgres).await?;
    let fixture = Fixture::create(&target).await?;
    let sqlx = RawSqlx::connect(&target).await?.ok_or("sqlx")?;
    let ent = Entable::connect(&target).await?.ok_or("entable")?;
    let copy = SqlxCopy::connect(&target).await?.ok_or("copy")?;
    let db = Db::connect(&target.url).await?;
    let users = workload::users_to_insert(100);
    let big = |n: usize| workload::users_to_insert(n);
    let (at_limit, below) = (big(2_000), big(1_999));
    let create = |u: &NewUser| UserCreate {
        name: u.name.clone(),
        hair_color: u.hair_color.clone(),
    };
    fixture.prepare(Workload::Insert, 100).await?;
    let mut rows = vec![
        Timings::new("sqlx: INSERT 100 rows"),
        Timings::new("entable: bulk_insert 100 rows"),
        Timings::new("sqlx COPY: 100 rows (tx)"),
        Timings::new("sqlx: BEGIN, INSERT 100, COMMIT"),
        Timings::new("entable: bulk_insert 1,999 (VALUES)"),
        Timings::new("entable: bulk_insert 2,000 (COPY)"),
    ];
    for _ in 0..rounds {
        time(&mut rows[0], calls, |_| sqlx.insert_users(&users)).await?;
        time(&mut rows[1], calls, |_| ent.insert_users(&users)).await?;
        time(&mut rows[2], calls.min(10), |_| {
            copy.bulk_insert_users(&users)
        })
        .await?;
        time(&mut rows[3], calls, |_| async {
            // What entable's count-only bulk insert sends for 100 rows: the
            // same multi-row INSERT inside its own transaction.
            let RawSqlx::Postgres(pool) = &sqlx else {
                return Err("not PostgreSQL".into());
            };
            let mut tx = pool.begin().await?;
            let mut query =
                sqlx::QueryBuilder::<sqlx::Postgres>::new("INSERT INTO users (name, hair_color) ");
            query.push_values(&users, |mut row, user| {
                row.push_bind(user.name.as_str())
                    .push_bind(user.hair_color.as_deref());
            });
            query.build().execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(())
        })
        .await?;
        time(&mut rows[4], calls.min(10), |_| async {
            User::bulk_insert(&db, below.iter().map(create)).await?;
            Ok(())
        })
        .await?;
        time(&mut rows[5], calls.min(10), |_| async {
            User::bulk_insert(&db, at_limit.iter().map(create)).await?;
            Ok(())
        })
        .await?;
    }
    sqlx.close().await;
    ent.close().await;
    copy.close().await;
    db.close().await;
    fixture.close().await;
    target.drop_database().await?;
    print("PostgreSQL insert", &rows);
    Ok(())
}

/// By key, users ⟕ posts at N = 100 and search on `backend`: raw sqlx,
/// entable, SeaORM and Diesel, interleaved.
async fn reads(backend: Backend) -> Result<()> {
    let (rounds, calls) = (env_count("ROUNDS", 5), env_count("CALLS", 500));
    let target = Target::create(backend).await?;
    let fixture = Fixture::create(&target).await?;
    let sqlx = RawSqlx::connect(&target).await?.ok_or("sqlx")?;
    let ent = Entable::connect(&target).await?.ok_or("entable")?;
    let sea = SeaOrm::connect(&target).await?.ok_or("SeaORM")?;
    let die = Diesel::connect(&target).await?;
    let params = workload::search_params();
    for (workload, size) in [
        (Workload::ByKey, 1),
        (Workload::Medium, 100),
        (Workload::Search, 1),
    ] {
        fixture.prepare(workload, size).await?;
        let mut rows = vec![
            Timings::new("sqlx"),
            Timings::new("entable"),
            Timings::new("SeaORM"),
            Timings::new("Diesel"),
        ];
        for _ in 0..rounds {
            macro_rules! run {
                ($slot:expr, $c:expr) => {
                    time(&mut rows[$slot], calls, |i| {
                        let (c, params) = (&$c, &params);
                        async move {
                            match workload {
                                Workload::ByKey => {
                                    c.user_by_id(workload::key(i)).await?;
                                }
                                Workload::Medium => {
                                    c.users_with_posts(workload::HAIR_COLOR).await?;
                                }
                                _ => {
                                    c.search_users(params).await?;
                                }
                            }
                            Ok(())
                        }
                    })
                    .await?
                };
            }
            run!(0, sqlx);
            run!(1, ent);
            run!(2, sea);
            if let Some(die) = &die {
                run!(3, *die);
            }
        }
        if die.is_none() {
            rows.pop();
        }
        print(&format!("{backend:?} {} N={size}", workload.title()), &rows);
    }
    sqlx.close().await;
    ent.close().await;
    sea.close().await;
    if let Some(die) = die {
        die.close().await;
    }
    fixture.close().await;
    target.drop_database().await?;
    Ok(())
}

/// SQLite insert 100 users: raw sqlx, entable and Diesel, interleaved.
async fn lite_insert() -> Result<()> {
    let (rounds, calls) = (env_count("ROUNDS", 5), env_count("CALLS", 200));
    let target = Target::create(Backend::Sqlite).await?;
    let fixture = Fixture::create(&target).await?;
    let sqlx = RawSqlx::connect(&target).await?.ok_or("sqlx")?;
    let ent = Entable::connect(&target).await?.ok_or("entable")?;
    let die = Diesel::connect(&target).await?.ok_or("Diesel")?;
    let users = workload::users_to_insert(100);
    fixture.prepare(Workload::Insert, 100).await?;
    let mut rows = vec![
        Timings::new("sqlx: INSERT 100 rows"),
        Timings::new("entable: bulk_insert 100 rows"),
        Timings::new("Diesel: INSERT 100 rows"),
    ];
    for _ in 0..rounds {
        time(&mut rows[0], calls, |_| sqlx.insert_users(&users)).await?;
        time(&mut rows[1], calls, |_| ent.insert_users(&users)).await?;
        time(&mut rows[2], calls, |_| die.insert_users(&users)).await?;
    }
    sqlx.close().await;
    ent.close().await;
    die.close().await;
    fixture.close().await;
    target.drop_database().await?;
    print("SQLite insert 100 users", &rows);
    Ok(())
}

/// MariaDB/MySQL insert 1 and 100 users: raw sqlx against entable's
/// `create`, `create_key` and count-only `bulk_insert`.
async fn my_insert() -> Result<()> {
    let (rounds, calls) = (env_count("ROUNDS", 3), env_count("CALLS", 30));
    let target = Target::create(Backend::MySql).await?;
    let fixture = Fixture::create(&target).await?;
    let sqlx = RawSqlx::connect(&target).await?.ok_or("sqlx")?;
    let db = Db::connect(&target.url).await?;
    let users = workload::users_to_insert(100);
    let create = |u: &NewUser| UserCreate {
        name: u.name.clone(),
        hair_color: u.hair_color.clone(),
    };
    fixture.prepare(Workload::Insert, 100).await?;
    let mut rows = vec![
        Timings::new("sqlx: INSERT 100 rows"),
        Timings::new("entable: bulk_insert 100 rows"),
        Timings::new("sqlx: INSERT 1 row"),
        Timings::new("entable: create (INSERT, SELECT)"),
        Timings::new("entable: create_key (INSERT)"),
    ];
    for _ in 0..rounds {
        time(&mut rows[0], calls, |_| sqlx.insert_users(&users)).await?;
        time(&mut rows[1], calls, |_| async {
            User::bulk_insert(&db, users.iter().map(create)).await?;
            Ok(())
        })
        .await?;
        time(&mut rows[2], calls, |_| sqlx.insert_users(&users[..1])).await?;
        time(&mut rows[3], calls, |_| async {
            User::create(&db, create(&users[0])).await?;
            Ok(())
        })
        .await?;
        time(&mut rows[4], calls, |_| async {
            User::create_key(&db, create(&users[0])).await?;
            Ok(())
        })
        .await?;
    }
    sqlx.close().await;
    db.close().await;
    fixture.close().await;
    target.drop_database().await?;
    print("MariaDB/MySQL insert", &rows);
    Ok(())
}

/// PostgreSQL one user by key and trivial N = 1: per call, raw sqlx
/// against entable, and entable without its per-call timeout (what the
/// `statement_timeout` wrapper costs), and a held connection (what the
/// pool checkout costs).
async fn pg_small() -> Result<()> {
    let (rounds, calls) = (env_count("ROUNDS", 5), env_count("CALLS", 2_000));
    let target = Target::create(Backend::Postgres).await?;
    let fixture = Fixture::create(&target).await?;
    let sqlx = RawSqlx::connect(&target).await?.ok_or("sqlx")?;
    let ent = Entable::connect(&target).await?.ok_or("entable")?;
    let sea = SeaOrm::connect(&target).await?.ok_or("SeaORM")?;
    let die = Diesel::connect(&target).await?.ok_or("Diesel")?;
    let untimed = Db::connect_with(
        &target.url,
        entable::PoolConfig {
            statement_timeout: None,
            ..Default::default()
        },
    )
    .await?;
    let one = entable::PoolConfig {
        max_connections: 1,
        ..Default::default()
    };
    let ent_one = Db::connect_with(&target.url, one).await?;
    let raw_one: sqlx::PgPool = entable_bench::contenders::sqlx_raw::pool_options()
        .max_connections(1)
        .connect(&target.url)
        .await?;
    let raw_pool =
        sqlx::PgPool::connect_with(sqlx::postgres::PgConnectOptions::from_str(&target.url)?)
            .await?;
    let mut held = raw_pool.acquire().await?;
    for (workload, size) in [(Workload::ByKey, 1), (Workload::Trivial, 1)] {
        fixture.prepare(workload, size).await?;
        let mut rows = vec![
            Timings::new("sqlx"),
            Timings::new("entable"),
            Timings::new("entable, no statement_timeout"),
            Timings::new("SeaORM"),
            Timings::new("Diesel"),
            Timings::new("sqlx, held connection"),
            Timings::new("sqlx, pool of 1"),
            Timings::new("entable, pool of 1"),
        ];
        for _ in 0..rounds {
            macro_rules! run {
                ($slot:expr, $c:expr) => {
                    time(&mut rows[$slot], calls, |i| {
                        let c = &$c;
                        async move {
                            if workload == Workload::ByKey {
                                c.user_by_id(workload::key(i)).await?;
                            } else {
                                c.all_users().await?;
                            }
                            Ok(())
                        }
                    })
                    .await?
                };
            }
            run!(0, sqlx);
            run!(1, ent);
            time(&mut rows[2], calls, |i| {
                let db = &untimed;
                async move {
                    if workload == Workload::ByKey {
                        User::get(db, workload::key(i)).await?;
                    } else {
                        User::find(db, Expr::all()).await?;
                    }
                    Ok(())
                }
            })
            .await?;
            run!(3, sea);
            run!(4, die);
            for i in 0..calls as u64 {
                let start = Instant::now();
                if workload == Workload::ByKey {
                    let _: Option<(i32, String, Option<String>)> =
                        sqlx::query_as("SELECT id, name, hair_color FROM users WHERE id = $1")
                            .bind(workload::key(i))
                            .fetch_optional(&mut *held)
                            .await?;
                } else {
                    let _: Vec<(i32, String, Option<String>)> =
                        sqlx::query_as("SELECT id, name, hair_color FROM users ORDER BY id")
                            .fetch_all(&mut *held)
                            .await?;
                }
                rows[5].calls.push(start.elapsed());
            }
            time(&mut rows[6], calls, |i| {
                let pool = &raw_one;
                async move {
                    if workload == Workload::ByKey {
                        let _: Option<(i32, String, Option<String>)> =
                            sqlx::query_as("SELECT id, name, hair_color FROM users WHERE id = $1")
                                .bind(workload::key(i))
                                .fetch_optional(pool)
                                .await?;
                    } else {
                        let _: Vec<(i32, String, Option<String>)> =
                            sqlx::query_as("SELECT id, name, hair_color FROM users ORDER BY id")
                                .fetch_all(pool)
                                .await?;
                    }
                    Ok(())
                }
            })
            .await?;
            time(&mut rows[7], calls, |i| {
                let db = &ent_one;
                async move {
                    if workload == Workload::ByKey {
                        User::get(db, workload::key(i)).await?;
                    } else {
                        User::find(db, Expr::all()).await?;
                    }
                    Ok(())
                }
            })
            .await?;
        }
        // entable's own pool keeps no count to print.
        println!(
            "sqlx pool size after {}: {}",
            workload.id(),
            match &sqlx {
                RawSqlx::Postgres(p) => p.size(),
                _ => 0,
            },
        );
        print(&format!("PostgreSQL {} N={size}", workload.id()), &rows);
    }
    drop(held);
    raw_pool.close().await;
    untimed.close().await;
    ent_one.close().await;
    raw_one.close().await;
    sqlx.close().await;
    ent.close().await;
    sea.close().await;
    die.close().await;
    fixture.close().await;
    target.drop_database().await?;
    Ok(())
}
