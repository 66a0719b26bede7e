//! [`Db`]: a cheap, cloneable handle to a connection pool of any backend.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use crate::backend::Dialect;
use crate::error::{Error, Result, redact_url};

/// A handle to a database: a connection pool of the backend named by the
/// URL. Cloning it is cheap (a reference count), so hand clones to tasks.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> entable::Result<()> {
/// let db = entable::Db::connect("sqlite::memory:").await?;
/// assert_eq!(db.dialect(), entable::backend::Dialect::Sqlite);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Db {
    pub(crate) pool: Pool,
    pub(crate) guard: Arc<Guard>,
}

/// What every call through one pool shares: its timeout, and whether its
/// connections are suspected of being stale.
#[derive(Debug)]
pub(crate) struct Guard {
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_connections: u32,
    /// Checkouts still to ping before use, after a connection was found
    /// broken (as many as the pool holds).
    suspect: AtomicU32,
    /// The slow-statement threshold in nanoseconds; 0 when off.
    slow: AtomicU64,
    /// Tasks waiting for a connection of the pool.
    pub(crate) waiting: AtomicU32,
}

impl Guard {
    fn new(timeout: Option<Duration>, max_connections: u32) -> Arc<Guard> {
        Arc::new(Guard {
            timeout,
            max_connections,
            suspect: AtomicU32::new(0),
            slow: AtomicU64::new(0),
            waiting: AtomicU32::new(0),
        })
    }

    /// The slow-statement threshold.
    pub(crate) fn slow(&self) -> Option<Duration> {
        match self.slow.load(Ordering::Relaxed) {
            0 => None,
            nanos => Some(Duration::from_nanos(nanos)),
        }
    }

    pub(crate) fn set_slow(&self, slow: Option<Duration>) {
        let nanos = slow.map_or(0, |d| {
            u64::try_from(d.as_nanos()).unwrap_or(u64::MAX).max(1)
        });
        self.slow.store(nanos, Ordering::Relaxed);
    }

    /// Whether the next checkout must be pinged; counts it.
    pub(crate) fn take_suspect(&self) -> bool {
        self.suspect.load(Ordering::Relaxed) > 0
            && self
                .suspect
                .fetch_update(Ordering::AcqRel, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok()
    }

    /// Suspects every connection of the pool.
    pub(crate) fn suspect_all(&self) {
        self.suspect.store(self.max_connections, Ordering::Release);
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Pool {
    #[cfg(feature = "postgres")]
    Postgres(crate::driver::server_pool::ServerPool<sqlx::Postgres>),
    #[cfg(feature = "mysql")]
    MySql(crate::driver::server_pool::ServerPool<sqlx::MySql>),
    #[cfg(feature = "sqlx-sqlite")]
    Sqlite(sqlx::SqlitePool),
    /// SQLite on the rusqlite driver ([`SqliteDriver::Rusqlite`]).
    #[cfg(feature = "rusqlite")]
    Lite(crate::driver::lite::LitePool),
    /// Keeps the enum inhabited-by-construction in builds without any
    /// backend feature, so matches stay exhaustive; never constructed.
    #[allow(dead_code)]
    Never(std::convert::Infallible),
}

/// Connection pool settings for [`Db::connect_with`].
///
/// The defaults favour speed: a connection is not pinged before each use
/// (sqlx's default costs a server round trip per statement on
/// PostgreSQL); idle connections are closed after ten minutes and every
/// connection is replaced after thirty, which retires broken ones.
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// Most connections open at once. Default 10.
    pub max_connections: u32,
    /// Connections kept open while idle. Default 0.
    pub min_connections: u32,
    /// How long a caller waits for a free connection. Default 30 s.
    pub acquire_timeout: Duration,
    /// Idle connections older than this are closed. Default 10 min.
    pub idle_timeout: Option<Duration>,
    /// Connections older than this are replaced. Default 30 min.
    pub max_lifetime: Option<Duration>,
    /// Ping a connection before handing it out. Default `false`: entable
    /// pings only after a connection was found broken, until every
    /// connection of the pool has been checked once.
    pub test_before_acquire: bool,
    /// How long entable waits for the database before it gives up on a
    /// call, with [`Error::Timeout`]: one repository call (all of its
    /// statements), one transaction-control statement (`BEGIN`,
    /// `SAVEPOINT`, `COMMIT`, …), one check of a connection. A bulk call's
    /// limit grows with its input: this much for every 10,000 rows, at
    /// least this much. A call that times out closes its connection (its
    /// state is unknown) and, inside a transaction, leaves the transaction
    /// unable to commit. `None` waits forever. Default 30 s.
    pub statement_timeout: Option<Duration>,
    /// Statements that take at least this long are reported as a WARN
    /// event (target `entable::slow`) with their shape, table, duration and
    /// the application's call site. Default `None` (off); change it later
    /// with [`Db::set_slow_statement`].
    pub slow_statement: Option<Duration>,
    /// Which driver runs a `sqlite:` URL. Default
    /// [`SqliteDriver::Rusqlite`].
    pub sqlite_driver: SqliteDriver,
    /// Where the rusqlite driver runs a call. Default
    /// [`LiteThreading::BlockInPlace`](crate::driver::LiteThreading::BlockInPlace).
    pub sqlite_threading: crate::driver::LiteThreading,
    /// SQLite's `synchronous` on the rusqlite driver's connections.
    /// Default [`LiteSync::Full`](crate::driver::LiteSync::Full).
    pub sqlite_synchronous: crate::driver::LiteSync,
}

/// The driver behind a SQLite [`Db`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SqliteDriver {
    /// rusqlite (cargo feature `sqlite`, the default): each call runs
    /// whole on one connection, no thread hop per statement or row, so
    /// small calls cost a few microseconds instead of tens (see
    /// `docs/benchmarks.md` and [`LiteThreading`](crate::driver::LiteThreading)
    /// for where the call runs). File databases use WAL journaling.
    /// [`Query::select_as`](crate::query::Query::select_as) is refused on
    /// it (it decodes through sqlx's `FromRow`), and `Db::as_sqlite` is
    /// `None`.
    Rusqlite,
    /// sqlx-sqlite (cargo feature `sqlx-sqlite`): each connection on a
    /// worker thread of its own, statements and rows sent across threads.
    /// For sharing an existing `sqlx::SqlitePool` (`Db::from`).
    Sqlx,
}

impl Default for SqliteDriver {
    /// [`Rusqlite`](SqliteDriver::Rusqlite), unless this build has only
    /// the `sqlx-sqlite` driver.
    fn default() -> Self {
        if cfg!(feature = "rusqlite") || !cfg!(feature = "sqlx-sqlite") {
            SqliteDriver::Rusqlite
        } else {
            SqliteDriver::Sqlx
        }
    }
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            max_connections: 10,
            min_connections: 0,
            acquire_timeout: Duration::from_secs(30),
            idle_timeout: Some(Duration::from_secs(600)),
            max_lifetime: Some(Duration::from_secs(1800)),
            test_before_acquire: false,
            statement_timeout: Some(Duration::from_secs(30)),
            slow_statement: None,
            sqlite_driver: SqliteDriver::default(),
            sqlite_threading: crate::driver::LiteThreading::default(),
            sqlite_synchronous: crate::driver::LiteSync::default(),
        }
    }
}

#[cfg(feature = "sqlx-sqlite")]
impl PoolConfig {
    fn options<DB: sqlx::Database>(&self) -> sqlx::pool::PoolOptions<DB> {
        sqlx::pool::PoolOptions::new()
            .max_connections(self.max_connections)
            .min_connections(self.min_connections)
            .acquire_timeout(self.acquire_timeout)
            .idle_timeout(self.idle_timeout)
            .max_lifetime(self.max_lifetime)
            .test_before_acquire(self.test_before_acquire)
    }
}

#[cfg(any(feature = "postgres", feature = "mysql"))]
impl PoolConfig {
    fn settings(&self) -> crate::driver::server_pool::Settings {
        crate::driver::server_pool::Settings {
            max_connections: self.max_connections,
            min_connections: self.min_connections,
            acquire_timeout: self.acquire_timeout,
            idle_timeout: self.idle_timeout,
            max_lifetime: self.max_lifetime,
            test_before_acquire: self.test_before_acquire,
        }
    }
}

fn unsupported(url: &str, reason: impl Into<String>) -> Error {
    Error::UnsupportedUrl {
        url: redact_url(url),
        reason: reason.into(),
    }
}

impl Db {
    /// Connects to the database at `url` with default pool settings. The
    /// backend is chosen from the scheme: `postgres://` (or `postgresql://`),
    /// `mysql://` (or `mariadb://`), `sqlite:`. Each needs the cargo feature
    /// of the same name.
    ///
    /// For SQLite a missing database file is created unless the URL gives a
    /// `mode=`; `sqlite::memory:` is one in-memory database shared by the
    /// pool, kept alive for as long as the pool is.
    pub async fn connect(url: &str) -> Result<Db> {
        Db::connect_with(url, PoolConfig::default()).await
    }

    /// Connects with explicit pool settings.
    ///
    /// ```
    /// use std::time::Duration;
    /// use entable::{Db, PoolConfig};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> entable::Result<()> {
    /// let config = PoolConfig {
    ///     max_connections: 4,
    ///     statement_timeout: Some(Duration::from_secs(5)),
    ///     ..PoolConfig::default()
    /// };
    /// let db = Db::connect_with("sqlite::memory:", config).await?;
    /// # drop(db);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect_with(url: &str, config: PoolConfig) -> Result<Db> {
        let Some(dialect) = Dialect::from_url(url) else {
            return Err(unsupported(
                url,
                "the scheme is not postgres://, mysql:// or sqlite:",
            ));
        };
        let guard = Guard::new(config.statement_timeout, config.max_connections);
        guard.set_slow(config.slow_statement);
        match dialect {
            #[cfg(feature = "postgres")]
            Dialect::Postgres => {
                use std::str::FromStr;
                let options = sqlx::postgres::PgConnectOptions::from_str(url)?;
                let pool =
                    crate::driver::server_pool::ServerPool::connect(options, config.settings());
                Ok(Db {
                    pool: Pool::Postgres(pool.await?),
                    guard,
                })
            }
            #[cfg(feature = "mysql")]
            Dialect::MySql => {
                // sqlx parses only the mysql:// scheme.
                let url = match url.strip_prefix("mariadb://") {
                    Some(rest) => format!("mysql://{rest}"),
                    None => url.to_owned(),
                };
                use std::str::FromStr;
                let options = sqlx::mysql::MySqlConnectOptions::from_str(&url)?;
                let pool =
                    crate::driver::server_pool::ServerPool::connect(options, config.settings());
                Ok(Db {
                    pool: Pool::MySql(pool.await?),
                    guard,
                })
            }
            #[cfg(feature = "rusqlite")]
            Dialect::Sqlite if config.sqlite_driver == SqliteDriver::Rusqlite => Ok(Db {
                pool: Pool::Lite(crate::driver::lite::LitePool::new(
                    url,
                    config.max_connections,
                    config.acquire_timeout,
                    config.sqlite_threading,
                    config.sqlite_synchronous,
                )?),
                guard,
            }),
            #[cfg(feature = "sqlx-sqlite")]
            Dialect::Sqlite if config.sqlite_driver == SqliteDriver::Sqlx => {
                use std::str::FromStr;
                // REGEXP (Rust's `regex`) carries the case-insensitive text
                // matches: SQLite's LIKE folds ASCII letters only.
                let mut options = sqlx::sqlite::SqliteConnectOptions::from_str(url)?.with_regexp();
                if !url.contains("mode=") {
                    options = options.create_if_missing(true);
                }
                let mut config = config;
                if url.contains(":memory:") || url.contains("mode=memory") {
                    // The database lives only while a connection is open.
                    config.min_connections = config.min_connections.max(1);
                    config.idle_timeout = None;
                    config.max_lifetime = None;
                }
                let pool = config.options().connect_with(options).await?;
                Ok(Db {
                    pool: Pool::Sqlite(pool),
                    guard,
                })
            }
            Dialect::Sqlite => Err(unsupported(
                url,
                match config.sqlite_driver {
                    SqliteDriver::Rusqlite => {
                        "this build of entable lacks the `sqlite` cargo feature (the rusqlite driver)"
                    }
                    SqliteDriver::Sqlx => {
                        "this build of entable lacks the `sqlx-sqlite` cargo feature (the sqlx driver)"
                    }
                },
            )),
            #[allow(unreachable_patterns)]
            other => Err(unsupported(
                url,
                format!(
                    "this build of entable lacks the `{}` cargo feature",
                    other.name()
                ),
            )),
        }
    }

    /// The dialect of this database.
    pub fn dialect(&self) -> Dialect {
        match &self.pool {
            #[cfg(feature = "postgres")]
            Pool::Postgres(_) => Dialect::Postgres,
            #[cfg(feature = "mysql")]
            Pool::MySql(_) => Dialect::MySql,
            #[cfg(feature = "sqlx-sqlite")]
            Pool::Sqlite(_) => Dialect::Sqlite,
            #[cfg(feature = "rusqlite")]
            Pool::Lite(_) => Dialect::Sqlite,
            Pool::Never(never) => match *never {},
        }
    }

    /// The sqlx pool this handle was made from (`Db::from(pool)`), if it
    /// was. A `Db` from [`Db::connect`] has entable's own pool (see
    /// `docs/design.md`) and gives `None`; run sqlx on one of its
    /// connections with [`Conn::as_postgres`](crate::Conn::as_postgres).
    #[cfg(feature = "postgres")]
    pub fn as_postgres(&self) -> Option<&sqlx::PgPool> {
        match &self.pool {
            Pool::Postgres(pool) => pool.as_sqlx(),
            _ => None,
        }
    }

    /// The sqlx pool this handle was made from (`Db::from(pool)`), if it
    /// was: as [`as_postgres`](Self::as_postgres), for MySQL/MariaDB.
    #[cfg(feature = "mysql")]
    pub fn as_mysql(&self) -> Option<&sqlx::MySqlPool> {
        match &self.pool {
            Pool::MySql(pool) => pool.as_sqlx(),
            _ => None,
        }
    }

    /// The SQLite pool, if this is a SQLite database.
    #[cfg(feature = "sqlx-sqlite")]
    pub fn as_sqlite(&self) -> Option<&sqlx::SqlitePool> {
        match &self.pool {
            Pool::Sqlite(pool) => Some(pool),
            _ => None,
        }
    }

    /// Closes every connection; later calls fail.
    pub async fn close(&self) {
        match &self.pool {
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => pool.close().await,
            #[cfg(feature = "mysql")]
            Pool::MySql(pool) => pool.close().await,
            #[cfg(feature = "sqlx-sqlite")]
            Pool::Sqlite(pool) => pool.close().await,
            #[cfg(feature = "rusqlite")]
            Pool::Lite(pool) => pool.close(),
            Pool::Never(never) => match *never {},
        }
    }
}

#[cfg(feature = "postgres")]
impl From<sqlx::PgPool> for Db {
    fn from(pool: sqlx::PgPool) -> Db {
        let max = pool.options().get_max_connections();
        Db {
            pool: Pool::Postgres(crate::driver::server_pool::ServerPool::Sqlx(pool)),
            guard: Guard::new(PoolConfig::default().statement_timeout, max),
        }
    }
}

#[cfg(feature = "mysql")]
impl From<sqlx::MySqlPool> for Db {
    fn from(pool: sqlx::MySqlPool) -> Db {
        let max = pool.options().get_max_connections();
        Db {
            pool: Pool::MySql(crate::driver::server_pool::ServerPool::Sqlx(pool)),
            guard: Guard::new(PoolConfig::default().statement_timeout, max),
        }
    }
}

/// The pool's connections must have been opened with
/// [`SqliteConnectOptions::with_regexp`](sqlx::sqlite::SqliteConnectOptions::with_regexp):
/// case-insensitive text filters (`icontains`, …) are `REGEXP` matches on
/// SQLite, for Unicode case folding.
#[cfg(feature = "sqlx-sqlite")]
impl From<sqlx::SqlitePool> for Db {
    fn from(pool: sqlx::SqlitePool) -> Db {
        let max = pool.options().get_max_connections();
        Db {
            pool: Pool::Sqlite(pool),
            guard: Guard::new(PoolConfig::default().statement_timeout, max),
        }
    }
}
