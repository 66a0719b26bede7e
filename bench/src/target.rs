//! Which databases a run uses: the backends named by
//! `ENTABLE_BENCH_BACKENDS`, a database created for the run on each, and
//! dropped afterwards.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::{AssertSqlSafe, Connection};

use crate::Result;

/// PostgreSQL's `synchronous_commit` for every session on the benchmark's
/// database (set on the database when the run creates it; see
/// `durability`).
pub const POSTGRES_SYNCHRONOUS_COMMIT: &str = "on";

/// `ENTABLE_BENCH_BACKENDS`: comma-separated `postgres`, `sqlite`, `mysql`.
pub const BACKENDS_ENV: &str = "ENTABLE_BENCH_BACKENDS";
/// `ENTABLE_BENCH_POSTGRES_URL`: an admin URL of the PostgreSQL server.
pub const POSTGRES_ENV: &str = "ENTABLE_BENCH_POSTGRES_URL";
/// `ENTABLE_BENCH_MYSQL_URL`: an admin URL of the MariaDB/MySQL server.
pub const MYSQL_ENV: &str = "ENTABLE_BENCH_MYSQL_URL";

const DEFAULT_BACKENDS: &str = "postgres,sqlite";
const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const DEFAULT_MYSQL: &str = "mysql://root@127.0.0.1:3306/mysql";

/// A database server kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Backend {
    Postgres,
    MySql,
    Sqlite,
}

impl Backend {
    /// Every backend, in report order.
    pub const ALL: [Backend; 3] = [Backend::Postgres, Backend::MySql, Backend::Sqlite];

    /// The name in `ENTABLE_BENCH_BACKENDS`, benchmark ids and the report.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::MySql => "mysql",
            Backend::Sqlite => "sqlite",
        }
    }

    /// The backend called `name`.
    pub fn from_name(name: &str) -> Option<Backend> {
        Backend::ALL.into_iter().find(|b| b.name() == name)
    }

    /// How many values one statement may bind.
    pub fn bind_limit(self) -> usize {
        match self {
            Backend::Postgres | Backend::MySql => 65_535,
            Backend::Sqlite => 32_766,
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The backends this run covers, from `ENTABLE_BENCH_BACKENDS` (default
/// `postgres,sqlite`). An unknown name is an error, not a silent skip.
pub fn selected_backends() -> Result<Vec<Backend>> {
    let list = std::env::var(BACKENDS_ENV).unwrap_or_else(|_| DEFAULT_BACKENDS.to_owned());
    let mut out = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let backend = Backend::from_name(name)
            .ok_or_else(|| format!("{BACKENDS_ENV}: unknown backend `{name}`"))?;
        if !out.contains(&backend) {
            out.push(backend);
        }
    }
    out.sort();
    Ok(out)
}

/// A database created for this run; [`Target::drop_database`] removes it.
#[derive(Clone, Debug)]
pub struct Target {
    pub backend: Backend,
    /// The URL every contender connects to.
    pub url: String,
    admin_url: Option<String>,
    name: String,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Target {
    /// Creates an empty database named `entable_bench_<pid>_<n>` (a file in
    /// the temporary directory for SQLite).
    pub async fn create(backend: Backend) -> Result<Target> {
        let name = format!(
            "entable_bench_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        match backend {
            Backend::Postgres => {
                let admin = env_or(POSTGRES_ENV, DEFAULT_POSTGRES);
                let mut conn = sqlx::PgConnection::connect(&admin).await?;
                let sql = format!(r#"CREATE DATABASE "{name}""#);
                sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await?;
                // Every session of every contender commits alike, whatever
                // the server's configuration (`crate::durability`).
                let sql = format!(
                    r#"ALTER DATABASE "{name}" SET synchronous_commit = {}"#,
                    POSTGRES_SYNCHRONOUS_COMMIT
                );
                sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await?;
                conn.close().await?;
                let url = with_database(&admin, &name);
                Ok(Target {
                    backend,
                    url,
                    admin_url: Some(admin),
                    name,
                })
            }
            Backend::MySql => {
                let admin = env_or(MYSQL_ENV, DEFAULT_MYSQL);
                let mut conn = sqlx::MySqlConnection::connect(&admin).await?;
                // Binary collation, as entable's tables use: comparisons are
                // exact on every backend.
                let sql =
                    format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
                sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await?;
                conn.close().await?;
                let url = with_database(&admin, &name);
                Ok(Target {
                    backend,
                    url,
                    admin_url: Some(admin),
                    name,
                })
            }
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                let _ = std::fs::remove_file(&path);
                Ok(Target {
                    backend,
                    url: format!("sqlite://{}?mode=rwc", path.display()),
                    admin_url: None,
                    name: path.display().to_string(),
                })
            }
        }
    }

    /// The SQLite file, for Diesel, which takes a path rather than a URL.
    pub fn sqlite_path(&self) -> &str {
        &self.name
    }

    /// Drops the database (every contender must have closed its pool).
    pub async fn drop_database(self) -> Result<()> {
        match (self.backend, self.admin_url) {
            (Backend::Postgres, Some(admin)) => {
                let mut conn = sqlx::PgConnection::connect(&admin).await?;
                let sql = format!(r#"DROP DATABASE IF EXISTS "{}" WITH (FORCE)"#, self.name);
                sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await?;
                conn.close().await?;
            }
            (Backend::MySql, Some(admin)) => {
                let mut conn = sqlx::MySqlConnection::connect(&admin).await?;
                let sql = format!("DROP DATABASE IF EXISTS `{}`", self.name);
                sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut conn).await?;
                conn.close().await?;
            }
            _ => {
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", self.name));
                }
            }
        }
        Ok(())
    }
}

fn env_or(key: &str, default: &str) -> String {
    std::env::var(key)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// `admin_url` with its database path replaced by `name` (query kept).
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (admin_url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let root = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{root}/{name}?{query}"),
        None => format!("{root}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "b"),
            "postgres://postgres@127.0.0.1:5432/b"
        );
        assert_eq!(
            with_database("mysql://root@127.0.0.1:3306", "b"),
            "mysql://root@127.0.0.1:3306/b"
        );
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "b"),
            "postgres://u@h/b?sslmode=disable"
        );
    }
}
