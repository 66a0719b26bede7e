//! A pool of [`LiteConn`]s for `Db`: connections opened on demand up to a
//! bound, the most recently returned handed out first (its pages are
//! warm), each settled (queued rollbacks run) when it comes back.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::LiteConn;
use crate::driver::DriverError;

/// Where the pool's connections open.
#[derive(Debug, Clone)]
enum Location {
    /// A file (or a `file:` URI).
    Path(PathBuf),
    /// `sqlite::memory:`: a shared-cache in-memory database of this URI,
    /// private to the pool (as sqlx-sqlite makes it), alive while the
    /// pool's anchor connection is open.
    Memory(String),
}

/// Numbers the pools' in-memory databases.
static MEMORY_DATABASES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[derive(Debug)]
struct Shared {
    location: Location,
    /// Keeps an in-memory database alive; never handed out.
    _anchor: Option<Mutex<LiteConn>>,
    idle: Mutex<Vec<LiteConn>>,
    permits: Arc<Semaphore>,
    acquire_timeout: Duration,
}

/// The pool behind a `Db` on the rusqlite driver.
#[derive(Debug, Clone)]
pub(crate) struct LitePool {
    shared: Arc<Shared>,
}

/// A connection checked out of a [`LitePool`]; back to the pool on drop.
#[derive(Debug)]
pub(crate) struct LitePooled {
    conn: Option<LiteConn>,
    shared: Arc<Shared>,
    discard: bool,
    _permit: OwnedSemaphorePermit,
}

impl LitePool {
    /// A pool for a `sqlite:` URL: `sqlite::memory:`, `sqlite:path`,
    /// `sqlite://path`, with `?…` options ignored except `mode=memory`.
    pub(crate) fn new(
        url: &str,
        max_connections: u32,
        acquire_timeout: Duration,
    ) -> Result<LitePool, DriverError> {
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| DriverError::Configuration("not a sqlite: URL".into()))?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let memory = path == ":memory:" || path.is_empty() || query.contains("mode=memory");
        let location = if memory {
            let n = MEMORY_DATABASES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Location::Memory(format!(
                "file:entable-memory-{}-{n}?mode=memory&cache=shared",
                std::process::id()
            ))
        } else {
            Location::Path(PathBuf::from(path))
        };
        let anchor = match &location {
            Location::Memory(uri) => Some(Mutex::new(LiteConn::open(uri)?)),
            Location::Path(_) => None,
        };
        let pool = LitePool {
            shared: Arc::new(Shared {
                location,
                _anchor: anchor,
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(max_connections.max(1) as usize)),
                acquire_timeout,
            }),
        };
        // Open one now: a bad path fails here, as sqlx's `connect` does,
        // and a memory database exists from the start.
        let first = pool.open()?;
        pool.idle().push(first);
        Ok(pool)
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<LiteConn>> {
        // A poisoned lock only means a thread panicked while pushing or
        // popping; the list is still valid.
        self.shared
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn open(&self) -> Result<LiteConn, DriverError> {
        match &self.shared.location {
            Location::Path(path) => LiteConn::open(path),
            Location::Memory(uri) => LiteConn::open(uri),
        }
    }

    /// A connection: an idle one (the most recently returned), or a new
    /// one while fewer than the bound are open.
    pub(crate) async fn acquire(&self) -> Result<LitePooled, DriverError> {
        let permit = tokio::time::timeout(
            self.shared.acquire_timeout,
            Arc::clone(&self.shared.permits).acquire_owned(),
        )
        .await
        .map_err(|_| DriverError::PoolTimedOut)?
        .map_err(|_| DriverError::PoolClosed)?;
        let idle = self.idle().pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.open()?,
        };
        Ok(LitePooled {
            conn: Some(conn),
            shared: Arc::clone(&self.shared),
            discard: false,
            _permit: permit,
        })
    }

    /// The database file, for tools that open it with another driver
    /// (sqlx's migrator); `None` for an in-memory database.
    #[cfg_attr(not(all(feature = "migrate", feature = "sqlite")), allow(dead_code))]
    pub(crate) fn path(&self) -> Option<&std::path::Path> {
        match &self.shared.location {
            Location::Path(path) => Some(path),
            Location::Memory(_) => None,
        }
    }

    /// Closes the idle connections; later checkouts fail.
    pub(crate) fn close(&self) {
        self.shared.permits.close();
        self.idle().clear();
    }
}

impl LitePooled {
    /// Closes the connection when it is dropped instead of returning it.
    pub(crate) fn close_on_drop(&mut self) {
        self.discard = true;
    }

    /// Whether the connection answers.
    pub(crate) async fn ping(&mut self) -> Result<(), DriverError> {
        match self.conn.as_mut() {
            Some(conn) => conn.settle(),
            None => Err(DriverError::PoolClosed),
        }
    }
}

impl std::ops::Deref for LitePooled {
    type Target = LiteConn;
    fn deref(&self) -> &LiteConn {
        // Present until drop: `conn` is taken only there.
        self.conn
            .as_ref()
            .unwrap_or_else(|| unreachable!("taken on drop only"))
    }
}

impl std::ops::DerefMut for LitePooled {
    fn deref_mut(&mut self) -> &mut LiteConn {
        self.conn
            .as_mut()
            .unwrap_or_else(|| unreachable!("taken on drop only"))
    }
}

impl Drop for LitePooled {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        // Queued rollbacks (a dropped transaction guard) run now, so the
        // next caller never meets an open transaction; a connection that
        // cannot settle is closed.
        let keep = !self.discard && !self.shared.permits.is_closed() && conn.settle().is_ok();
        if keep {
            self.shared
                .idle
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(conn);
        }
    }
}
