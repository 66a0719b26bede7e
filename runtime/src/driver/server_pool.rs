//! entable's pool of the sqlx drivers' server connections (PostgreSQL,
//! MySQL/MariaDB).
//!
//! Why not sqlx's own pool: it pings every connection as it comes back (a
//! server round trip per call, in a spawned task, during which the
//! connection is not available), and hands out its idle connections first
//! in, first out, so consecutive calls rotate across server sessions gone
//! cold. This pool hands out the most recently returned connection first
//! and returns a connection without a round trip when the last call on it
//! finished. A connection whose call did not finish (its future was
//! dropped) or whose transaction's rollback is queued is pinged before it
//! goes back, in a spawned task, as sqlx does for every connection: the
//! ping sends what is queued and reads what the call left unread, so no
//! transaction stays open on an idle connection. A connection with a
//! transaction still open (not even a rollback queued) is closed rather
//! than returned, and a call whose error says the connection broke closes
//! it ([`Db::settle`](crate::Db)); after such an error entable pings
//! connections before use until each was checked.
//!
//! A `Db` made from a sqlx pool (`Db::from(PgPool)`) keeps that pool.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use sqlx::Connection as _;
use sqlx_core::transaction::TransactionManager as _;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::DriverError;

/// How a pool opens, keeps and retires connections (from `PoolConfig`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub(crate) max_connections: u32,
    pub(crate) min_connections: u32,
    pub(crate) acquire_timeout: Duration,
    pub(crate) idle_timeout: Option<Duration>,
    pub(crate) max_lifetime: Option<Duration>,
    pub(crate) test_before_acquire: bool,
}

type Connection<DB> = <DB as sqlx::Database>::Connection;

/// The longest a check of a connection (a ping) may take.
const PING_LIMIT: Duration = Duration::from_secs(5);
type Options<DB> = <Connection<DB> as sqlx::Connection>::Options;

/// An idle connection and its age.
struct Idle<C> {
    conn: C,
    created: Instant,
    since: Instant,
}

pub(crate) struct Shared<DB: sqlx::Database> {
    options: Options<DB>,
    /// Most recently returned last; the front has been idle longest.
    idle: Mutex<VecDeque<Idle<Connection<DB>>>>,
    permits: Arc<Semaphore>,
    settings: Settings,
}

impl<DB: sqlx::Database> std::fmt::Debug for Shared<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("idle", &self.idle().len())
            .field("available", &self.permits.available_permits())
            .field("settings", &self.settings)
            .finish()
    }
}

impl<DB: sqlx::Database> Shared<DB> {
    /// Opens a connection, within `limit`.
    async fn open(&self, limit: Duration) -> Result<Connection<DB>, DriverError> {
        let connecting = <Options<DB> as sqlx::ConnectOptions>::connect(&self.options);
        match tokio::time::timeout(limit, connecting).await {
            Ok(opened) => opened,
            Err(_) => Err(DriverError::PoolTimedOut),
        }
    }

    fn idle(&self) -> MutexGuard<'_, VecDeque<Idle<Connection<DB>>>> {
        // A poisoned lock only means a thread panicked while pushing or
        // popping; the list is still valid.
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn expired(&self, created: Instant, since: Option<Instant>) -> bool {
        let settings = &self.settings;
        settings
            .max_lifetime
            .is_some_and(|l| created.elapsed() >= l)
            || since
                .zip(settings.idle_timeout)
                .is_some_and(|(since, t)| since.elapsed() >= t)
    }
}

/// The pool of a `Db` on a server database: entable's own, or a sqlx pool
/// the application made.
#[derive(Debug)]
pub(crate) enum ServerPool<DB: sqlx::Database> {
    Own(Arc<Shared<DB>>),
    Sqlx(sqlx::Pool<DB>),
}

impl<DB: sqlx::Database> Clone for ServerPool<DB> {
    fn clone(&self) -> Self {
        match self {
            ServerPool::Own(shared) => ServerPool::Own(Arc::clone(shared)),
            ServerPool::Sqlx(pool) => ServerPool::Sqlx(pool.clone()),
        }
    }
}

/// A connection checked out of a [`ServerPool`]; back to it on drop.
#[derive(Debug)]
pub(crate) enum ServerConn<DB: sqlx::Database> {
    Own(Checked<DB>),
    Sqlx(sqlx::pool::PoolConnection<DB>),
}

/// A connection of entable's own pool, checked out.
pub(crate) struct Checked<DB: sqlx::Database> {
    conn: Option<Connection<DB>>,
    created: Instant,
    discard: bool,
    /// A call started on the connection has not finished, or a rollback
    /// is queued: it is pinged before it is idle again.
    unsettled: bool,
    shared: Arc<Shared<DB>>,
    /// Taken only by drop, which may hand it to the task that settles the
    /// connection.
    permit: Option<OwnedSemaphorePermit>,
}

impl<DB: sqlx::Database> std::fmt::Debug for Checked<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checked")
            .field("discard", &self.discard)
            .field("unsettled", &self.unsettled)
            .finish_non_exhaustive()
    }
}

/// Closes `conn` politely (the server is told) in the background, where
/// there is a runtime to do it; else the socket just closes.
fn close_later<C: sqlx::Connection>(conn: C) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        let closing = conn.close();
        runtime.spawn(async move {
            let _ = tokio::time::timeout(Duration::from_secs(5), closing).await;
        });
    }
}

impl<DB: sqlx::Database> ServerPool<DB> {
    /// Connections checked out and idle, of at most `max`.
    pub(crate) fn stats(&self, max: u32) -> (u32, u32) {
        match self {
            ServerPool::Sqlx(pool) => {
                let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
                (pool.size().saturating_sub(idle), idle)
            }
            ServerPool::Own(shared) => {
                let free = u32::try_from(shared.permits.available_permits()).unwrap_or(u32::MAX);
                let idle = u32::try_from(shared.idle().len()).unwrap_or(u32::MAX);
                (max.max(1).saturating_sub(free), idle)
            }
        }
    }

    /// A pool of `options`' connections, one opened now (so a bad URL or
    /// an unreachable server fails here), and `min_connections` in all.
    pub(crate) async fn connect(
        options: Options<DB>,
        settings: Settings,
    ) -> Result<ServerPool<DB>, DriverError> {
        let shared = Arc::new(Shared {
            options,
            idle: Mutex::new(VecDeque::new()),
            permits: Arc::new(Semaphore::new(settings.max_connections.max(1) as usize)),
            settings,
        });
        let first = settings
            .min_connections
            .clamp(1, settings.max_connections.max(1));
        for _ in 0..first {
            let conn = shared.open(settings.acquire_timeout).await?;
            let now = Instant::now();
            shared.idle().push_back(Idle {
                conn,
                created: now,
                since: now,
            });
        }
        Ok(ServerPool::Own(shared))
    }

    /// A connection: the most recently returned idle one that is neither
    /// too old nor (with `test_before_acquire`) dead, or a new one while
    /// fewer than the bound are open.
    pub(crate) async fn acquire(&self) -> Result<ServerConn<DB>, DriverError> {
        let shared = match self {
            ServerPool::Sqlx(pool) => return Ok(ServerConn::Sqlx(pool.acquire().await?)),
            ServerPool::Own(shared) => shared,
        };
        let started = Instant::now();
        let timeout = shared.settings.acquire_timeout;
        // A free permit is taken without building the timer: the common
        // case, where the wait would end at once.
        let permit = match Arc::clone(&shared.permits).try_acquire_owned() {
            Ok(permit) => permit,
            Err(tokio::sync::TryAcquireError::Closed) => return Err(DriverError::PoolClosed),
            Err(tokio::sync::TryAcquireError::NoPermits) => {
                tokio::time::timeout(timeout, Arc::clone(&shared.permits).acquire_owned())
                    .await
                    .map_err(|_| DriverError::PoolTimedOut)?
                    .map_err(|_| DriverError::PoolClosed)?
            }
        };
        loop {
            let popped = shared.idle().pop_back();
            let Some(Idle {
                mut conn,
                created,
                since,
            }) = popped
            else {
                break;
            };
            if shared.expired(created, Some(since)) {
                close_later(conn);
                continue;
            }
            // Its own limit: after a long wait for a permit, what is left
            // of the acquire timeout would fail every healthy connection.
            if shared.settings.test_before_acquire
                && tokio::time::timeout(timeout.min(PING_LIMIT), conn.ping())
                    .await
                    .map_or(true, |pinged| pinged.is_err())
            {
                close_later(conn);
                continue;
            }
            return Ok(ServerConn::Own(Checked {
                conn: Some(conn),
                created,
                discard: false,
                unsettled: true,
                shared: Arc::clone(shared),
                permit: Some(permit),
            }));
        }
        let conn = shared
            .open(timeout.saturating_sub(started.elapsed()))
            .await?;
        Ok(ServerConn::Own(Checked {
            conn: Some(conn),
            created: Instant::now(),
            discard: false,
            unsettled: true,
            shared: Arc::clone(shared),
            permit: Some(permit),
        }))
    }

    /// Closes the idle connections, and each checked-out one as it comes
    /// back; later checkouts fail.
    pub(crate) async fn close(&self) {
        match self {
            ServerPool::Sqlx(pool) => pool.close().await,
            ServerPool::Own(shared) => {
                shared.permits.close();
                let idle: Vec<_> = shared.idle().drain(..).collect();
                for idle in idle {
                    let _ = tokio::time::timeout(Duration::from_secs(5), idle.conn.close()).await;
                }
            }
        }
    }

    /// The sqlx pool this was made from, if it was.
    pub(crate) fn as_sqlx(&self) -> Option<&sqlx::Pool<DB>> {
        match self {
            ServerPool::Sqlx(pool) => Some(pool),
            ServerPool::Own(_) => None,
        }
    }
}

impl<DB: sqlx::Database> ServerConn<DB> {
    /// Closes the connection when it is dropped instead of returning it.
    pub(crate) fn close_on_drop(&mut self) {
        match self {
            ServerConn::Own(checked) => checked.discard = true,
            ServerConn::Sqlx(conn) => conn.close_on_drop(),
        }
    }

    /// Marks a call on the connection as started (`false`) or finished
    /// (`true`); see [`Checked`]'s drop.
    pub(crate) fn settled(&mut self, settled: bool) {
        if let ServerConn::Own(checked) = self {
            checked.unsettled = !settled;
        }
    }

    /// Whether the connection answers (a server round trip).
    pub(crate) async fn ping(&mut self) -> Result<(), DriverError> {
        (**self).ping().await
    }
}

impl<DB: sqlx::Database> std::ops::Deref for ServerConn<DB> {
    type Target = Connection<DB>;
    fn deref(&self) -> &Connection<DB> {
        match self {
            // Present until drop: `conn` is taken only there.
            ServerConn::Own(checked) => checked
                .conn
                .as_ref()
                .unwrap_or_else(|| unreachable!("taken on drop only")),
            ServerConn::Sqlx(conn) => conn,
        }
    }
}

impl<DB: sqlx::Database> std::ops::DerefMut for ServerConn<DB> {
    fn deref_mut(&mut self) -> &mut Connection<DB> {
        match self {
            ServerConn::Own(checked) => checked
                .conn
                .as_mut()
                .unwrap_or_else(|| unreachable!("taken on drop only")),
            ServerConn::Sqlx(conn) => conn,
        }
    }
}

impl<DB: sqlx::Database> Drop for Checked<DB> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        let shared = &self.shared;
        // A transaction still open (not even a rollback queued) would be
        // the next caller's: the connection is closed instead.
        let open = DB::TransactionManager::get_transaction_depth(&conn) > 0;
        if self.discard || open || shared.permits.is_closed() || shared.expired(self.created, None)
        {
            close_later(conn);
            return;
        }
        if self.unsettled {
            let Ok(runtime) = tokio::runtime::Handle::try_current() else {
                return;
            };
            let (shared, created) = (Arc::clone(shared), self.created);
            // Held until the connection is back: the pool never opens more
            // than its bound meanwhile.
            let permit = self.permit.take();
            runtime.spawn(async move {
                let mut conn = conn;
                let pinged = tokio::time::timeout(PING_LIMIT, conn.ping()).await;
                if matches!(pinged, Ok(Ok(()))) {
                    give_back(&shared, conn, created);
                } else {
                    drop(conn);
                }
                drop(permit);
            });
            return;
        }
        give_back(shared, conn, self.created);
    }
}

/// Makes `conn` idle again, and retires what outlived the idle timeout.
fn give_back<DB: sqlx::Database>(shared: &Shared<DB>, conn: Connection<DB>, created: Instant) {
    // Closed meanwhile (a connection settled in the background).
    if shared.permits.is_closed() {
        close_later(conn);
        return;
    }
    let mut idle = shared.idle();
    idle.push_back(Idle {
        conn,
        created,
        since: Instant::now(),
    });
    // The front has been idle longest: retire what outlived the idle
    // timeout, down to the connections kept open.
    let keep = shared.settings.min_connections as usize;
    let mut retired = Vec::new();
    while idle.len() > keep
        && idle
            .front()
            .is_some_and(|front| shared.expired(front.created, Some(front.since)))
    {
        retired.extend(idle.pop_front());
    }
    drop(idle);
    for old in retired {
        close_later(old.conn);
    }
}
