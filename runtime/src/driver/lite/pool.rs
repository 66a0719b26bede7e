//! A pool of [`LiteConn`]s for `Db`: connections opened on demand up to a
//! bound, the most recently returned handed out first (its pages are
//! warm), each settled (queued rollbacks run) when it comes back.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::OpenFlags;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::LiteConn;
use crate::driver::{DriverError, LiteSync, LiteThreading};

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
    /// How the pool's connections are opened.
    flags: OpenFlags,
    threading: LiteThreading,
    /// `PRAGMA synchronous`, set on each connection as it opens.
    synchronous: LiteSync,
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
    /// A pool for a `sqlite:` URL: `sqlite::memory:`, `sqlite:path` or
    /// `sqlite://path`, with sqlx-sqlite's `mode` (`ro`, `rw`, `rwc`,
    /// `memory`) and `cache` (`shared`, `private`) options; any other
    /// option is refused. A file is created when missing unless `mode`
    /// says otherwise, and is switched to WAL journaling unless read-only.
    pub(crate) fn new(
        url: &str,
        max_connections: u32,
        acquire_timeout: Duration,
        threading: LiteThreading,
        synchronous: LiteSync,
    ) -> Result<LitePool, DriverError> {
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| DriverError::Configuration("not a sqlite: URL".into()))?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut memory = path == ":memory:" || path.is_empty();
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match (key, value) {
                ("mode", "ro") => flags = OpenFlags::SQLITE_OPEN_READ_ONLY,
                ("mode", "rw") => flags = OpenFlags::SQLITE_OPEN_READ_WRITE,
                ("mode", "rwc") => {}
                ("mode", "memory") => memory = true,
                ("cache", "shared") => flags |= OpenFlags::SQLITE_OPEN_SHARED_CACHE,
                ("cache", "private") => {}
                ("mode" | "cache", other) => {
                    return Err(DriverError::Configuration(
                        format!("unknown value {other:?} for `{key}` in the SQLite URL").into(),
                    ));
                }
                _ => {
                    return Err(DriverError::Configuration(
                        format!("unknown query parameter `{key}` in the SQLite URL").into(),
                    ));
                }
            }
        }
        let location = if memory {
            // `memdb` rather than a shared cache: connections of one memdb
            // database lock as a file's do, so a busy one waits out the
            // busy timeout instead of failing with `SQLITE_LOCKED`.
            let n = MEMORY_DATABASES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Location::Memory(format!(
                "file:/entable-memory-{}-{n}?vfs=memdb",
                std::process::id()
            ))
        } else {
            Location::Path(PathBuf::from(path))
        };
        let flags = flags | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let anchor = match &location {
            Location::Memory(uri) => Some(Mutex::new(LiteConn::open_with_flags(uri, flags)?)),
            Location::Path(_) => None,
        };
        let pool = LitePool {
            shared: Arc::new(Shared {
                location,
                flags,
                _anchor: anchor,
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(max_connections.max(1) as usize)),
                acquire_timeout,
                threading,
                synchronous,
            }),
        };
        // Open one now: a bad path fails here, as sqlx's `connect` does,
        // and a memory database exists from the start.
        let first = pool.open()?;
        let writable = !flags.contains(OpenFlags::SQLITE_OPEN_READ_ONLY);
        if writable && matches!(pool.shared.location, Location::Path(_)) {
            // Readers never block the writer, nor it them; the setting
            // stays with the file.
            first
                .connection()
                .pragma_update(None, "journal_mode", "WAL")
                .map_err(super::error::driver_error)?;
        }
        pool.idle().push(first);
        Ok(pool)
    }

    /// Connections checked out and idle, of at most `max`.
    pub(crate) fn stats(&self, max: u32) -> (u32, u32) {
        let free = u32::try_from(self.shared.permits.available_permits()).unwrap_or(u32::MAX);
        let idle = u32::try_from(self.idle().len()).unwrap_or(u32::MAX);
        (max.max(1).saturating_sub(free), idle)
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
        let flags = self.shared.flags;
        let conn = match &self.shared.location {
            Location::Path(path) => LiteConn::open_with_flags(path, flags)?,
            Location::Memory(uri) => LiteConn::open_with_flags(uri, flags)?,
        };
        if self.shared.synchronous != LiteSync::Full {
            conn.connection()
                .pragma_update(None, "synchronous", self.shared.synchronous.as_str())
                .map_err(super::error::driver_error)?;
        }
        Ok(conn)
    }

    /// A connection: an idle one (the most recently returned), or a new
    /// one while fewer than the bound are open.
    pub(crate) async fn acquire(&self) -> Result<LitePooled, DriverError> {
        // A free permit is taken without building the timer: the common
        // case, where the wait would end at once.
        let permit = match Arc::clone(&self.shared.permits).try_acquire_owned() {
            Ok(permit) => permit,
            Err(tokio::sync::TryAcquireError::Closed) => return Err(DriverError::PoolClosed),
            Err(tokio::sync::TryAcquireError::NoPermits) => tokio::time::timeout(
                self.shared.acquire_timeout,
                Arc::clone(&self.shared.permits).acquire_owned(),
            )
            .await
            .map_err(|_| DriverError::PoolTimedOut)?
            .map_err(|_| DriverError::PoolClosed)?,
        };
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

    /// Closes the idle connections; later checkouts fail.
    pub(crate) fn close(&self) {
        self.shared.permits.close();
        self.idle().clear();
    }
}

impl LitePooled {
    /// Where calls on this connection run.
    pub(crate) fn threading(&self) -> LiteThreading {
        self.shared.threading
    }

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
        // A call dropped before it ended leaves its deadline set, which
        // would interrupt the rollback below or the next caller.
        conn.disarm();
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
