//! Shared test machinery: a fresh database per test on every configured
//! backend, and introspection of what the server really created.

pub mod introspect;
pub mod proxy;
pub mod rng;
pub mod statements;

use std::future::Future;
use std::io::Write;

use entable::Db;
use entable::backend::Dialect;
use entable::testing::{TestBackend, TestDatabase};

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

/// The SQLite driver of this run: the default (rusqlite), or sqlx-sqlite
/// with `ENTABLE_TEST_SQLITE_DRIVER=sqlx`.
pub fn sqlite_driver() -> entable::SqliteDriver {
    match std::env::var("ENTABLE_TEST_SQLITE_DRIVER").as_deref() {
        Ok("sqlx") => entable::SqliteDriver::Sqlx,
        _ => entable::SqliteDriver::Rusqlite,
    }
}

/// Writes straight to the terminal: libtest captures `println!`, but the
/// run must say which backends it covered.
pub fn announce(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// A database created for one test and dropped after it: the users'
/// [`TestDatabase`] with the fields our tests read.
pub struct TestDb {
    pub db: Db,
    pub dialect: Dialect,
    database: TestDatabase,
}

impl TestDb {
    pub async fn create(dialect: Dialect, admin_url: Option<&str>) -> TestDb {
        let backend = match (dialect, admin_url) {
            (Dialect::Postgres, Some(url)) => TestBackend::Postgres(url.to_owned()),
            (Dialect::MySql, Some(url)) => TestBackend::MySql(url.to_owned()),
            // The suite's SQLite runs in memory: fast, and its tests do not
            // read past a transaction that is still rolling back.
            _ => TestBackend::SqliteMemory,
        };
        let config = entable::PoolConfig {
            sqlite_driver: sqlite_driver(),
            ..Default::default()
        };
        let database = TestDatabase::create_with(&backend, config).await.unwrap_or_else(|e| {
            panic!("{dialect}: the URL in the environment is set but no test database could be made: {e}")
        });
        TestDb {
            db: database.db().clone(),
            dialect,
            database,
        }
    }

    /// The URL of this database.
    pub fn url(&self) -> String {
        self.database
            .url()
            .unwrap_or_else(|| "sqlite::memory:".into())
    }

    pub async fn drop_database(self) {
        self.database
            .drop_database()
            .await
            .unwrap_or_else(|e| panic!("{}: dropping the test database: {e}", self.dialect));
    }
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
        // A panicking body drops its `TestDb` while unwinding, which drops
        // the database.
        match tokio::spawn(body(test_db)).await {
            Ok(test_db) => test_db.drop_database().await,
            Err(error) => panic!("{test} failed on {dialect}: {error}"),
        }
        covered.push(match (dialect, sqlite_driver()) {
            (Dialect::Sqlite, entable::SqliteDriver::Sqlx) => "sqlite (sqlx)",
            _ => dialect.name(),
        });
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
/// `$db` is, through [`entable::RawSql`] (so on every driver); evaluates
/// to `entable::Result<u64 /* rows affected */>`.
#[macro_export]
macro_rules! exec {
    ($db:expr, $sql:expr $(, $arg:expr)* $(,)?) => {{
        let db: &entable::Db = &$db;
        let sql = $crate::support::dialect_sql(db.dialect(), $sql);
        entable::RawSql::new(sql)$(.bind($arg))*.execute(db).await
    }};
}

/// Fetches one column of one optional row as `$ty`; evaluates to
/// `entable::Result<Option<$ty>>`.
#[macro_export]
macro_rules! scalar {
    ($db:expr, $ty:ty, $sql:expr $(, $arg:expr)* $(,)?) => {{
        let db: &entable::Db = &$db;
        let sql = $crate::support::dialect_sql(db.dialect(), $sql);
        entable::RawSql::new(sql)$(.bind($arg))*.fetch_scalar::<$ty>(db).await
    }};
}
