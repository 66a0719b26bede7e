//! [`Conn`]: one pooled connection held across several calls; and how
//! every connection is taken from the pool ([`Db::checkout`]) and given back.

use std::time::Duration;

#[cfg(feature = "sqlx-sqlite")]
use sqlx::Connection as _;

use crate::backend::Dialect;
use crate::driver::{Backend, DriverError, Nested, statement};

use crate::db::{Db, Pool};
use crate::error::{Context, Error, Result};

/// One connection taken from the pool and held until dropped: several calls
/// on `&mut conn` run on the same connection (no checkout per statement),
/// without a transaction. Dropping it returns the connection to the pool.
///
/// ```
/// # use entable::Db;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> entable::Result<()> {
/// let db = Db::connect("sqlite::memory:").await?;
/// let conn = db.acquire().await?;
/// assert_eq!(conn.dialect(), db.dialect());
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Conn {
    pub(crate) inner: Pooled,
    pub(crate) db: Db,
}

/// A connection checked out of a pool, of whichever backend.
#[derive(Debug)]
pub(crate) enum Pooled {
    #[cfg(feature = "postgres")]
    Postgres(crate::driver::server_pool::ServerConn<sqlx::Postgres>),
    #[cfg(feature = "mysql")]
    MySql(crate::driver::server_pool::ServerConn<sqlx::MySql>),
    #[cfg(feature = "sqlx-sqlite")]
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    #[cfg(feature = "rusqlite")]
    Lite(crate::driver::lite::LitePooled),
    #[allow(dead_code)]
    Never(std::convert::Infallible),
}

/// Runs `$body` with `$c` the backend's `PoolConnection` and `$B` its
/// driver.
macro_rules! each {
    ($pooled:expr, $B:ident, $c:ident => $body:expr) => {
        match $pooled {
            #[cfg(feature = "postgres")]
            Pooled::Postgres($c) => {
                #[allow(dead_code)]
                type $B = crate::driver::Pg;
                $body
            }
            #[cfg(feature = "mysql")]
            Pooled::MySql($c) => {
                #[allow(dead_code)]
                type $B = crate::driver::MySql;
                $body
            }
            #[cfg(feature = "sqlx-sqlite")]
            Pooled::Sqlite($c) => {
                #[allow(dead_code)]
                type $B = crate::driver::Sqlite;
                $body
            }
            #[cfg(feature = "rusqlite")]
            Pooled::Lite($c) => {
                #[allow(dead_code)]
                type $B = crate::driver::Lite;
                $body
            }
            Pooled::Never(never) => match *never {},
        }
    };
}

impl Pooled {
    /// Closes the connection when it is dropped instead of returning it to
    /// the pool: its state is unknown (a statement timed out or the socket
    /// failed), so no later call may meet it.
    pub(crate) fn discard(&mut self) {
        each!(self, B, c => c.close_on_drop())
    }

    /// Opens a transaction; `statement` replaces the plain `BEGIN`.
    pub(crate) async fn begin(&mut self, statement: Option<String>) -> Result<(), DriverError> {
        each!(self, B, c => statement::begin::<B>(&mut **c, statement.map(Into::into)).await)
    }

    /// Commits the innermost open transaction level.
    pub(crate) async fn commit(&mut self) -> Result<(), DriverError> {
        each!(self, B, c => statement::commit::<B>(&mut **c).await)
    }

    /// Rolls back the innermost open transaction level.
    pub(crate) async fn rollback(&mut self) -> Result<(), DriverError> {
        each!(self, B, c => statement::rollback::<B>(&mut **c).await)
    }

    /// Queues a rollback, sent before the connection's next use (its check
    /// on return to the pool included): for `Drop`, which cannot wait.
    pub(crate) fn start_rollback(&mut self) {
        each!(self, B, c => B::start_rollback(&mut **c));
        // The rollback is only queued: the pool sends it before the
        // connection is idle again.
        self.settled(false);
    }

    /// Marks a call on a server connection as started (`false`) or
    /// finished (`true`): a connection whose call never finished is
    /// settled by a ping before its pool hands it out again.
    pub(crate) fn settled(&mut self, settled: bool) {
        match self {
            #[cfg(feature = "postgres")]
            Pooled::Postgres(c) => c.settled(settled),
            #[cfg(feature = "mysql")]
            Pooled::MySql(c) => c.settled(settled),
            _ => {
                let _ = settled;
            }
        }
    }

    /// Runs SQL built by entable from no input (transaction control).
    pub(crate) async fn execute_raw(&mut self, sql: String) -> Result<(), DriverError> {
        each!(self, B, c => statement::execute_script::<B>(&mut **c, sql).await)
    }

    async fn ping(&mut self) -> Result<(), DriverError> {
        each!(self, B, c => c.ping().await)
    }

    pub(crate) fn dialect(&self) -> crate::backend::Dialect {
        use crate::backend::Dialect;
        match self {
            #[cfg(feature = "postgres")]
            Pooled::Postgres(_) => Dialect::Postgres,
            #[cfg(feature = "mysql")]
            Pooled::MySql(_) => Dialect::MySql,
            #[cfg(feature = "sqlx-sqlite")]
            Pooled::Sqlite(_) => Dialect::Sqlite,
            #[cfg(feature = "rusqlite")]
            Pooled::Lite(_) => Dialect::Sqlite,
            Pooled::Never(never) => match *never {},
        }
    }
}

/// Runs `work` within `limit`: past it, the work is dropped and the
/// outcome is [`Error::Timeout`].
pub(crate) async fn timed<T>(
    limit: Option<Duration>,
    context: Context,
    work: impl Future<Output = Result<T>>,
) -> Result<T> {
    let Some(after) = limit else {
        return work.await;
    };
    let deadline = tokio::time::Instant::now() + after;
    let mut work = std::pin::pin!(work);
    // Polled once before any timer is built: a call that is done at once
    // (an in-process SQLite call) never registers one.
    let first = std::future::poll_fn(|cx| std::task::Poll::Ready(work.as_mut().poll(cx))).await;
    if let std::task::Poll::Ready(outcome) = first {
        return outcome;
    }
    tokio::time::timeout_at(deadline, work)
        .await
        .unwrap_or(Err(Error::Timeout { context, after }))
}

impl Db {
    /// Takes a connection from the pool, for several calls in a row.
    pub async fn acquire(&self) -> Result<Conn> {
        let inner = self.checkout(Context::default()).await?;
        Ok(Conn {
            inner,
            db: self.clone(),
        })
    }

    /// A connection from the pool for an operation. After a connection
    /// was found broken, connections that may have gone stale with it are
    /// pinged before use and replaced when dead, so that a network cut
    /// fails the calls that met it and not, one by one, later ones.
    pub(crate) async fn checkout(&self, context: Context) -> Result<Pooled> {
        let waiting = Waiting::new(&self.guard.waiting);
        let started = crate::observe::metrics::ON.then(std::time::Instant::now);
        let pooled = self.take(context).await;
        drop(waiting);
        if let Some(started) = started {
            crate::observe::metrics::acquired(
                self.dialect().system_name(),
                started.elapsed(),
                self.pool_stats(),
            );
        }
        pooled
    }

    async fn take(&self, context: Context) -> Result<Pooled> {
        let fail = |source| Error::Database { context, source };
        // Every connection of the pool may be stale: one more try than that.
        for _ in 0..=self.guard.max_connections {
            let mut pooled = match &self.pool {
                #[cfg(feature = "postgres")]
                Pool::Postgres(pool) => Pooled::Postgres(pool.acquire().await.map_err(fail)?),
                #[cfg(feature = "mysql")]
                Pool::MySql(pool) => Pooled::MySql(pool.acquire().await.map_err(fail)?),
                #[cfg(feature = "sqlx-sqlite")]
                Pool::Sqlite(pool) => Pooled::Sqlite(pool.acquire().await.map_err(fail)?),
                #[cfg(feature = "rusqlite")]
                Pool::Lite(pool) => Pooled::Lite(pool.acquire().await.map_err(fail)?),
                Pool::Never(never) => match *never {},
            };
            if !self.guard.take_suspect() {
                return Ok(pooled);
            }
            let pinged = timed(self.guard.timeout, context, async {
                pooled.ping().await.map_err(fail)
            })
            .await;
            match pinged {
                Ok(()) => return Ok(pooled),
                Err(_) => pooled.discard(),
            }
        }
        Err(Error::Usage {
            context,
            reason: "no connection of the pool answers".into(),
        })
    }

    /// Settles a connection after a call on it: discarded, and the rest of
    /// the pool suspected, when the call's error says it is broken.
    pub(crate) fn settle<T>(&self, pooled: &mut Pooled, outcome: &Result<T>) {
        if let Err(error) = outcome
            && error.breaks_connection()
        {
            pooled.discard();
            self.guard.suspect_all();
        }
    }
}

impl Conn {
    /// The dialect of the connection's database.
    pub fn dialect(&self) -> crate::backend::Dialect {
        self.inner.dialect()
    }

    /// sqlx's connection, to run sqlx on it directly, if this is a
    /// PostgreSQL database. The pool pings the connection before it hands
    /// it out again, as it does after a call that did not finish.
    #[cfg(feature = "postgres")]
    pub fn as_postgres(&mut self) -> Option<&mut sqlx::PgConnection> {
        self.inner.settled(false);
        #[allow(unreachable_patterns)]
        match &mut self.inner {
            Pooled::Postgres(c) => Some(&mut **c),
            _ => None,
        }
    }

    /// sqlx's connection, if this is a MySQL/MariaDB database: as
    /// [`as_postgres`](Self::as_postgres).
    #[cfg(feature = "mysql")]
    pub fn as_mysql(&mut self) -> Option<&mut sqlx::MySqlConnection> {
        self.inner.settled(false);
        #[allow(unreachable_patterns)]
        match &mut self.inner {
            Pooled::MySql(c) => Some(&mut **c),
            _ => None,
        }
    }
}

impl Db {
    /// Runs DDL statements in order, in one transaction where the dialect
    /// makes DDL transactional (PostgreSQL, SQLite). A failure names the
    /// statement.
    pub async fn execute_ddl(&self, statements: &[String]) -> Result<()> {
        let mut pooled = self.checkout(Context::default()).await?;
        match &mut pooled {
            #[cfg(feature = "postgres")]
            Pooled::Postgres(c) => run_ddl::<crate::driver::Pg>(&mut **c, statements).await,
            #[cfg(feature = "mysql")]
            Pooled::MySql(c) => run_ddl::<crate::driver::MySql>(&mut **c, statements).await,
            #[cfg(feature = "sqlx-sqlite")]
            Pooled::Sqlite(c) => run_ddl::<crate::driver::Sqlite>(&mut **c, statements).await,
            #[cfg(feature = "rusqlite")]
            Pooled::Lite(c) => run_ddl::<crate::driver::Lite>(&mut **c, statements).await,
            Pooled::Never(never) => match *never {},
        }
    }
}

/// Runs `statements` on `conn`, in one transaction where the dialect makes
/// DDL transactional (PostgreSQL, SQLite; MySQL commits around each DDL
/// statement, so a transaction there would promise what it cannot keep).
#[cfg(any(
    feature = "postgres",
    feature = "mysql",
    feature = "sqlx-sqlite",
    feature = "rusqlite"
))]
async fn run_ddl<B: Backend>(conn: &mut B::Conn, statements: &[String]) -> Result<()> {
    if B::DIALECT == Dialect::MySql {
        for sql in statements {
            statement::execute_script::<B>(conn, sql.clone())
                .await
                .map_err(|source| ddl_error(sql, source))?;
        }
        return Ok(());
    }
    let mut tx = Nested::<B>::begin(conn, None).await?;
    for sql in statements {
        statement::execute_script::<B>(&mut tx, sql.clone())
            .await
            .map_err(|source| ddl_error(sql, source))?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(any(
    feature = "postgres",
    feature = "mysql",
    feature = "sqlx-sqlite",
    feature = "rusqlite"
))]
fn ddl_error(statement: &str, source: sqlx::Error) -> Error {
    Error::Statement {
        context: format!("DDL `{}`", statement.lines().next().unwrap_or_default()),
        source,
    }
}

/// Counts a task waiting for a connection while it lives (a cancelled
/// wait is uncounted too).
struct Waiting<'a>(&'a std::sync::atomic::AtomicU32);

impl<'a> Waiting<'a> {
    fn new(count: &'a std::sync::atomic::AtomicU32) -> Self {
        count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Waiting(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}
