//! Shared test machinery: a fresh database per test on every configured
//! backend, and introspection of what the server really created.

pub mod introspect;
pub mod proxy;
pub mod rng;

use std::future::Future;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

use entable::Db;
use entable::backend::Dialect;

/// `ENTABLE_TEST_POSTGRES_URL`: an admin URL of a PostgreSQL server.
pub const POSTGRES_ENV: &str = "ENTABLE_TEST_POSTGRES_URL";
/// `ENTABLE_TEST_MYSQL_URL`: an admin URL of a MySQL/MariaDB server.
pub const MYSQL_ENV: &str = "ENTABLE_TEST_MYSQL_URL";

/// The backends this run covers: SQLite always, PostgreSQL and MySQL when
/// their URL is set. A set URL whose server cannot be reached fails the
/// test that needs it; it is never skipped.
pub fn backends() -> Vec<(Dialect, Option<String>)> {
    let mut out = Vec::new();
    for (dialect, env) in [
        (Dialect::Postgres, POSTGRES_ENV),
        (Dialect::MySql, MYSQL_ENV),
    ] {
        if let Some(url) = std::env::var(env).ok().filter(|u| !u.is_empty()) {
            out.push((dialect, Some(url)));
        }
    }
    out.push((Dialect::Sqlite, None));
    out
}

/// Writes straight to the terminal: libtest captures `println!`, but the
/// run must say which backends it covered.
pub fn announce(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// A database created for one test and dropped after it.
pub struct TestDb {
    pub db: Db,
    pub dialect: Dialect,
    admin_url: Option<String>,
    name: String,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl TestDb {
    pub async fn create(dialect: Dialect, admin_url: Option<&str>) -> TestDb {
        let name = format!(
            "entable_t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            uuid::Uuid::new_v4()
                .simple()
                .to_string()
                .get(..8)
                .unwrap_or("x")
        );
        let Some(admin_url) = admin_url else {
            let db = Db::connect("sqlite::memory:")
                .await
                .expect("in-memory SQLite opens");
            return TestDb {
                db,
                dialect,
                admin_url: None,
                name,
            };
        };
        let create = match dialect {
            Dialect::Postgres => format!(r#"CREATE DATABASE "{name}""#),
            _ => format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"),
        };
        admin(dialect, admin_url, &create).await;
        let url = with_database(admin_url, &name);
        let db = Db::connect(&url).await.unwrap_or_else(|e| {
            panic!("{dialect}: cannot connect to the fresh test database: {e}")
        });
        TestDb {
            db,
            dialect,
            admin_url: Some(admin_url.to_owned()),
            name,
        }
    }

    /// The URL of this database.
    pub fn url(&self) -> String {
        match &self.admin_url {
            Some(admin) => with_database(admin, &self.name),
            None => "sqlite::memory:".into(),
        }
    }

    pub async fn drop_database(self) {
        self.db.close().await;
        if let Some(admin_url) = &self.admin_url {
            drop_by_name(self.dialect, admin_url, &self.name).await;
        }
    }
}

async fn drop_by_name(dialect: Dialect, admin_url: &str, name: &str) {
    let sql = match dialect {
        Dialect::Postgres => format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#),
        _ => format!("DROP DATABASE IF EXISTS `{name}`"),
    };
    admin(dialect, admin_url, &sql).await;
}

/// Runs one statement outside any transaction (CREATE/DROP DATABASE cannot
/// run inside one on PostgreSQL).
async fn admin(dialect: Dialect, url: &str, sql: &str) {
    let config = entable::PoolConfig {
        max_connections: 1,
        ..Default::default()
    };
    let db = Db::connect_with(url, config).await.unwrap_or_else(|e| {
        panic!("{dialect}: the URL in the environment is set but the server does not answer: {e}")
    });
    let query = entable::sqlx::raw_sql(entable::sqlx::AssertSqlSafe(sql.to_owned()));
    let result = match dialect {
        Dialect::Postgres => query
            .execute(db.as_postgres().expect("postgres pool"))
            .await
            .map(|_| ()),
        Dialect::MySql => query
            .execute(db.as_mysql().expect("mysql pool"))
            .await
            .map(|_| ()),
        Dialect::Sqlite => query
            .execute(db.as_sqlite().expect("sqlite pool"))
            .await
            .map(|_| ()),
    };
    result.unwrap_or_else(|e| panic!("{dialect}: `{sql}` failed: {e}"));
    db.close().await;
}

/// `scheme://user@host:port/name` from an admin URL and a database name.
fn with_database(admin_url: &str, name: &str) -> String {
    let without_query = admin_url.split('?').next().unwrap_or(admin_url);
    let (scheme, rest) = without_query
        .split_once("://")
        .unwrap_or(("", without_query));
    let authority = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{authority}/{name}")
}

/// Runs `body` once per backend of [`backends`], each on a fresh database
/// that is dropped afterwards, even when the body panics (the panic is
/// then re-raised, naming the backend).
pub async fn on_every_backend<F, Fut>(test: &str, body: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = TestDb> + Send + 'static,
{
    let mut covered = Vec::new();
    for (dialect, url) in backends() {
        let test_db = TestDb::create(dialect, url.as_deref()).await;
        let name = test_db.name.clone();
        let admin_url = test_db.admin_url.clone();
        let outcome = tokio::spawn(body(test_db)).await;
        match outcome {
            Ok(test_db) => test_db.drop_database().await,
            Err(error) => {
                // The body panicked and took its handle with it.
                if let Some(admin_url) = admin_url {
                    drop_by_name(dialect, &admin_url, &name).await;
                }
                panic!("{test} failed on {dialect}: {error}");
            }
        }
        covered.push(dialect.name());
    }
    let mut line = format!("{test}: ran on {}", covered.join(", "));
    for (dialect, env) in [
        (Dialect::Postgres, POSTGRES_ENV),
        (Dialect::MySql, MYSQL_ENV),
    ] {
        if !covered.contains(&dialect.name()) {
            line.push_str(&format!("; {dialect} NOT covered ({env} is not set)"));
        }
    }
    announce(&line);
}

/// Test SQL is written with `"` quotes and `?` placeholders; this turns it
/// into the dialect's spelling.
pub fn dialect_sql(dialect: Dialect, sql: &str) -> String {
    match dialect {
        Dialect::MySql => sql.replace('"', "`"),
        Dialect::Sqlite => sql.to_owned(),
        Dialect::Postgres => {
            let mut out = String::with_capacity(sql.len() + 8);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    out.push_str(&format!("${n}"));
                } else {
                    out.push(c);
                }
            }
            out
        }
    }
}

/// Executes a test statement with bound arguments on whichever backend
/// `$db` is; evaluates to `Result<u64 /* rows affected */, sqlx::Error>`.
#[macro_export]
macro_rules! exec {
    ($db:expr, $sql:expr $(, $arg:expr)* $(,)?) => {{
        let db: &entable::Db = &$db;
        let sql = $crate::support::dialect_sql(db.dialect(), $sql);
        macro_rules! q { () => { entable::sqlx::query(entable::sqlx::AssertSqlSafe(sql)) } }
        match db.dialect() {
            entable::backend::Dialect::Postgres => {
                q!()$(.bind($arg))*.execute(db.as_postgres().expect("pg")).await.map(|r| r.rows_affected())
            }
            entable::backend::Dialect::MySql => {
                q!()$(.bind($arg))*.execute(db.as_mysql().expect("mysql")).await.map(|r| r.rows_affected())
            }
            entable::backend::Dialect::Sqlite => {
                q!()$(.bind($arg))*.execute(db.as_sqlite().expect("sqlite")).await.map(|r| r.rows_affected())
            }
        }
    }};
}

/// Fetches one column of one optional row as `$ty`; evaluates to
/// `Result<Option<$ty>, sqlx::Error>`.
#[macro_export]
macro_rules! scalar {
    ($db:expr, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {{
        let db: &entable::Db = &$db;
        let sql = $crate::support::dialect_sql(db.dialect(), $sql);
        macro_rules! q { () => { entable::sqlx::query_scalar::<_, $ty>(entable::sqlx::AssertSqlSafe(sql)) } }
        match db.dialect() {
            entable::backend::Dialect::Postgres => q!()$(.bind($arg))*.fetch_optional(db.as_postgres().expect("pg")).await,
            entable::backend::Dialect::MySql => q!()$(.bind($arg))*.fetch_optional(db.as_mysql().expect("mysql")).await,
            entable::backend::Dialect::Sqlite => q!()$(.bind($arg))*.fetch_optional(db.as_sqlite().expect("sqlite")).await,
        }
    }};
}
