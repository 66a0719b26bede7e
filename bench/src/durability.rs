//! Equal durability: what a commit costs depends on how far the database
//! must have written it before it answers, so every contender runs with
//! the same settings, and the report prints them as each contender's own
//! connection reports them.
//!
//! - **SQLite**: `journal_mode = WAL`, `synchronous = NORMAL` (and
//!   `busy_timeout = 5000`, sqlx's default, for Diesel too), set on every
//!   connection of every contender and of the fixture. Left alone, the sqlx
//!   contenders (raw sqlx, entable, SeaORM) and Diesel all open a new file
//!   with SQLite's defaults, `DELETE` and `FULL`: every commit then writes
//!   and syncs a rollback journal and the database file (several `fsync`s,
//!   about 0.1 ms each on the benchmark machine, far more while another
//!   process writes to the disk), so the write workloads measure the disk
//!   rather than the library. WAL with `NORMAL` syncs at checkpoints only,
//!   stays consistent after a crash (a power loss may drop the last
//!   commits), lets readers and one writer of different pools run side by
//!   side, and is what SQLite servers run with: Diesel's documentation
//!   recommends it, and issue 19's SQLite driver is to open its pool in WAL.
//! - **PostgreSQL**: `synchronous_commit = on`, the server's default, set
//!   on the benchmark's database (`ALTER DATABASE … SET`), so every
//!   session of every contender has it whatever the server's configuration.
//! - **MySQL/MariaDB**: `innodb_flush_log_at_trx_commit` is a global
//!   setting, the same for every contender by construction: reported only.
//!
//! [`probes`] lists what is asked on each backend; each contender runs
//! them on one connection of its own pool
//! ([`Contender::durability`](crate::contender::Contender::durability)),
//! the benchmark writes the answers next to criterion's results
//! ([`write`]), and the report prints them above each backend's table.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::Result;
use crate::target::Backend;

/// SQLite's journal mode for every contender.
pub const SQLITE_JOURNAL_MODE: &str = "WAL";
/// SQLite's `synchronous` for every contender.
pub const SQLITE_SYNCHRONOUS: &str = "NORMAL";
/// How long a SQLite connection waits for a lock, in milliseconds: sqlx's
/// default (5 s), set on Diesel's connections too.
pub const SQLITE_BUSY_TIMEOUT_MS: u64 = 5_000;
pub use crate::target::POSTGRES_SYNCHRONOUS_COMMIT;

/// The pragmas every SQLite connection runs first, in this order (a busy
/// timeout before the journal mode, which may need a lock), for libraries
/// that take SQL rather than options (Diesel's connection customiser).
pub fn sqlite_pragmas() -> String {
    format!(
        "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; \
         PRAGMA journal_mode = {SQLITE_JOURNAL_MODE}; \
         PRAGMA synchronous = {SQLITE_SYNCHRONOUS};"
    )
}

/// sqlx's options for a SQLite URL with the benchmark's durability: what
/// the raw sqlx contender, entable's pool and the fixture connect with
/// (SeaORM maps its own options the same way).
pub fn sqlite_options(url: &str) -> Result<sqlx::sqlite::SqliteConnectOptions> {
    Ok(with_sqlite_durability(
        sqlx::sqlite::SqliteConnectOptions::from_str(url)?,
    ))
}

/// `options` with the benchmark's journal mode, `synchronous` and busy
/// timeout.
pub fn with_sqlite_durability(
    options: sqlx::sqlite::SqliteConnectOptions,
) -> sqlx::sqlite::SqliteConnectOptions {
    options
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
        .busy_timeout(std::time::Duration::from_millis(SQLITE_BUSY_TIMEOUT_MS))
}

/// What a probe's statement returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A text value.
    Text,
    /// An integer (SQLite's `PRAGMA synchronous`).
    Int,
}

/// One setting to ask a connection for.
#[derive(Clone, Copy, Debug)]
pub struct Probe {
    /// The setting's name, as the report prints it; also the name of the
    /// one column the statement returns.
    pub name: &'static str,
    /// The statement that reads it.
    pub sql: &'static str,
    /// What the statement returns.
    pub kind: Kind,
}

const SQLITE_PROBES: [Probe; 2] = [
    Probe {
        name: "journal_mode",
        sql: "PRAGMA journal_mode",
        kind: Kind::Text,
    },
    Probe {
        name: "synchronous",
        sql: "PRAGMA synchronous",
        kind: Kind::Int,
    },
];

// What `SHOW synchronous_commit` prints, as a query every library runs
// like any other (a named column, a prepared statement).
const POSTGRES_PROBES: [Probe; 1] = [Probe {
    name: "synchronous_commit",
    sql: "SELECT current_setting('synchronous_commit') AS synchronous_commit",
    kind: Kind::Text,
}];

const MYSQL_PROBES: [Probe; 1] = [Probe {
    name: "innodb_flush_log_at_trx_commit",
    sql: "SELECT CAST(@@innodb_flush_log_at_trx_commit AS CHAR) AS innodb_flush_log_at_trx_commit",
    kind: Kind::Text,
}];

/// The settings asked on `backend`.
pub fn probes(backend: Backend) -> &'static [Probe] {
    match backend {
        Backend::Sqlite => &SQLITE_PROBES,
        Backend::Postgres => &POSTGRES_PROBES,
        Backend::MySql => &MYSQL_PROBES,
    }
}

/// A probe's answer.
#[derive(Clone, Debug)]
pub enum Answer {
    Text(String),
    Int(i64),
}

/// One contender's settings: `(name, value)` in [`probes`] order, values
/// as the report prints them (SQLite's `synchronous` by name: `1` is
/// `NORMAL`).
pub type Durability = Vec<(String, String)>;

/// The printed value of `answer` to `probe`.
pub fn show(probe: &Probe, answer: Answer) -> String {
    match (probe.name, answer) {
        ("synchronous", Answer::Int(level)) => match level {
            0 => "OFF".to_owned(),
            1 => "NORMAL".to_owned(),
            2 => "FULL".to_owned(),
            3 => "EXTRA".to_owned(),
            other => other.to_string(),
        },
        (_, Answer::Int(value)) => value.to_string(),
        // SQLite answers `wal`, `delete`: upper case as the pragma is set.
        ("journal_mode", Answer::Text(text)) => text.to_uppercase(),
        (_, Answer::Text(text)) => text,
    }
}

/// One printed setting: `(name, value)`.
pub fn entry(probe: &Probe, answer: Answer) -> (String, String) {
    (probe.name.to_owned(), show(probe, answer))
}

/// Every probe of `backend`, asked on `conn`, one sqlx connection (of the
/// raw sqlx contender's pool, or of the pool under entable's `Db`).
pub async fn of_sqlx<DB>(conn: &mut DB::Connection, backend: Backend) -> Result<Durability>
where
    DB: sqlx::Database,
    DB::Arguments: sqlx::IntoArguments<DB>,
    (String,): for<'r> sqlx::FromRow<'r, DB::Row>,
    (i64,): for<'r> sqlx::FromRow<'r, DB::Row>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    let mut out = Vec::new();
    for probe in probes(backend) {
        let answer = match probe.kind {
            Kind::Text => Answer::Text(sqlx::query_scalar(probe.sql).fetch_one(&mut *conn).await?),
            Kind::Int => Answer::Int(sqlx::query_scalar(probe.sql).fetch_one(&mut *conn).await?),
        };
        out.push(entry(probe, answer));
    }
    Ok(out)
}

/// Every probe of `backend`, asked through entable's own statement path
/// ([`entable::RawSql`]) on a connection of `db`'s pool, whichever driver.
pub async fn of_entable(db: &entable::Db, backend: Backend) -> Result<Durability> {
    let mut out = Vec::new();
    for probe in probes(backend) {
        let sql = || entable::RawSql::new(probe.sql);
        let missing = || format!("{}: no row", probe.sql);
        let answer = match probe.kind {
            Kind::Text => Answer::Text(sql().fetch_scalar(db).await?.ok_or_else(missing)?),
            Kind::Int => Answer::Int(sql().fetch_scalar(db).await?.ok_or_else(missing)?),
        };
        out.push(entry(probe, answer));
    }
    Ok(out)
}

/// Each contender's settings on one backend, in report order:
/// `(contender, settings)`.
pub type Table = Vec<(String, Durability)>;

/// What every contender must report on `backend`: the settings the
/// benchmark sets; `None` on MySQL, whose setting is the server's own (the
/// contenders must still agree).
pub fn expected(backend: Backend) -> Option<Durability> {
    let pairs: &[(&str, &str)] = match backend {
        Backend::Sqlite => &[
            ("journal_mode", SQLITE_JOURNAL_MODE),
            ("synchronous", SQLITE_SYNCHRONOUS),
        ],
        Backend::Postgres => &[("synchronous_commit", POSTGRES_SYNCHRONOUS_COMMIT)],
        Backend::MySql => return None,
    };
    Some(
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect(),
    )
}

/// Whether every contender of `table` reported the same settings.
pub fn equal(table: &Table) -> bool {
    table.windows(2).all(|pair| pair[0].1 == pair[1].1)
}

/// Where the benchmark leaves `backend`'s settings for the report: next
/// to criterion's results in `dir`, so they are removed with them.
pub fn path(dir: &Path, backend: Backend) -> PathBuf {
    dir.join(format!("durability-{}.json", backend.name()))
}

/// Writes `table` for `backend` into `dir` (created if missing).
pub fn write(dir: &Path, backend: Backend, table: &Table) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(path(dir, backend), serde_json::to_string_pretty(table)?)?;
    Ok(())
}

/// The settings the benchmark wrote for `backend` into `dir`, if any.
pub fn read(dir: &Path, backend: Backend) -> Result<Option<Table>> {
    match std::fs::read_to_string(path(dir, backend)) {
        Ok(text) => Ok(Some(serde_json::from_str(&text)?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}
