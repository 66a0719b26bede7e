//! Is the database there: [`Db::health`], the pool's state, a start-up
//! connect that waits for a database still starting, and the
//! slow-statement threshold.

use std::time::{Duration, Instant};

use crate::backend::Dialect;
use crate::db::{Db, Pool, PoolConfig};
use crate::error::{Context, Error, Result};
use crate::observe::PoolStats;
use crate::raw::RawSql;

/// What [`Db::health`] found.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Health {
    /// How long the database took to answer the check (a connection from
    /// the pool, one statement).
    pub latency: Duration,
    /// The server's version (`15.19 (Debian …)`, `10.11.19-MariaDB-…`,
    /// SQLite's library version).
    pub server_version: String,
    /// The pool, after the check.
    pub pool: PoolStats,
}

/// How [`Db::connect_retrying`] waits for a database that is not
/// answering yet.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct ConnectRetry {
    /// Give up after this long (the last error is returned). Default 30 s.
    pub within: Duration,
    /// Wait before the second attempt; doubled after each, up to
    /// `max_backoff`. Default 100 ms.
    pub backoff: Duration,
    /// The longest wait between attempts. Default 2 s.
    pub max_backoff: Duration,
}

impl Default for ConnectRetry {
    fn default() -> Self {
        ConnectRetry {
            within: Duration::from_secs(30),
            backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
        }
    }
}

impl ConnectRetry {
    /// Waiting at most `within`, with the default backoff.
    pub fn within(within: Duration) -> ConnectRetry {
        ConnectRetry {
            within,
            ..ConnectRetry::default()
        }
    }
}

/// Whether a failed connect may succeed later: the server is not
/// listening yet, is starting up, or did not answer in time. A wrong URL,
/// password or database name is not retried.
fn not_up_yet(error: &Error) -> bool {
    match error {
        Error::Timeout { .. } => true,
        Error::Database { source, .. } => {
            matches!(source, sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut)
                || crate::error::connection_lost(source)
        }
        _ => false,
    }
}

impl Db {
    /// [`Db::connect_with`], tried again while the database is not up yet
    /// (connection refused, starting up, no answer), with a doubling
    /// backoff, for at most `retry.within`. For services that start beside
    /// their database. Each failed attempt is a WARN event (target
    /// `entable::connect`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> entable::Result<()> {
    /// use std::time::Duration;
    /// use entable::{ConnectRetry, Db, PoolConfig};
    /// let db = Db::connect_retrying(
    ///     "sqlite::memory:",
    ///     PoolConfig::default(),
    ///     ConnectRetry::within(Duration::from_secs(10)),
    /// )
    /// .await?;
    /// assert!(db.health().await?.latency < Duration::from_secs(10));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn connect_retrying(
        url: &str,
        config: PoolConfig,
        retry: ConnectRetry,
    ) -> Result<Db> {
        let started = Instant::now();
        let mut backoff = retry.backoff;
        let mut attempt = 1u32;
        loop {
            match Db::connect_with(url, config.clone()).await {
                Err(error) if not_up_yet(&error) && started.elapsed() + backoff < retry.within => {
                    tracing::event!(
                        target: "entable::connect",
                        tracing::Level::WARN,
                        attempt,
                        retry_in_ms = u64::try_from(backoff.as_millis()).unwrap_or(u64::MAX),
                        error = %error,
                        "the database does not answer yet",
                    );
                    tokio::time::sleep(backoff).await;
                    backoff = backoff.saturating_mul(2).min(retry.max_backoff);
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }

    /// Checks the database: one statement on a connection of the pool
    /// (asking the server's version), within the pool's statement timeout
    /// (or 5 s when it has none); the latency, the version and the pool's
    /// state. An unreachable database is the error a call would get
    /// ([`Error::Timeout`] when it does not answer in time).
    pub async fn health(&self) -> Result<Health> {
        let limit = self.guard.timeout.unwrap_or(Duration::from_secs(5));
        let started = Instant::now();
        let sql = match self.dialect() {
            Dialect::Postgres => "SHOW server_version",
            Dialect::MySql => "SELECT VERSION()",
            Dialect::Sqlite => "SELECT sqlite_version()",
        };
        let asked =
            tokio::time::timeout(limit, RawSql::new(sql).fetch_scalar::<String>(self)).await;
        let version = match asked {
            Ok(version) => version?,
            Err(_) => {
                return Err(Error::Timeout {
                    context: Context {
                        entity: "Db",
                        operation: "health",
                    },
                    after: limit,
                });
            }
        };
        Ok(Health {
            latency: started.elapsed(),
            server_version: version.unwrap_or_default(),
            pool: self.pool_stats(),
        })
    }

    /// The pool's state now.
    pub fn pool_stats(&self) -> PoolStats {
        let max = self.guard.max_connections;
        let (in_use, idle) = match &self.pool {
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => pool.stats(max),
            #[cfg(feature = "mysql")]
            Pool::MySql(pool) => pool.stats(max),
            #[cfg(feature = "sqlx-sqlite")]
            Pool::Sqlite(pool) => {
                let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
                (pool.size().saturating_sub(idle), idle)
            }
            #[cfg(feature = "rusqlite")]
            Pool::Lite(pool) => pool.stats(max),
            Pool::Never(never) => match *never {},
        };
        PoolStats {
            size: in_use.saturating_add(idle),
            idle,
            waiting: self
                .guard
                .waiting
                .load(std::sync::atomic::Ordering::Relaxed),
            max,
        }
    }

    /// Sets the slow-statement threshold of this pool (every clone of
    /// this `Db` shares it): statements at least this long are reported
    /// as a WARN event (target `entable::slow`). `None` turns it off.
    pub fn set_slow_statement(&self, threshold: Option<Duration>) {
        self.guard.set_slow(threshold);
    }
}
