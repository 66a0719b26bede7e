//! A rusqlite connection with entable's transaction bookkeeping.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rusqlite::functions::FunctionFlags;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OpenFlags, Statement};

use super::error::driver_error;
use super::{LiteArgs, LiteRow};
use crate::driver::{Done, DriverError};

/// How long a statement waits for another connection's lock before
/// failing with `SQLITE_BUSY`: sqlx-sqlite's default.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Prepared statements kept per connection: sqlx-sqlite's default
/// (rusqlite's is 16, fewer than the statements one entity caches).
const STATEMENT_CACHE: usize = 100;

/// SQLite virtual-machine steps between two looks at the clock while a
/// statement runs (a few microseconds of work).
const CLOCK_EVERY: i32 = 4_000;

/// No deadline.
const NEVER: u64 = u64::MAX;

/// Nanoseconds since the first call, on the monotonic clock.
fn now_nanos() -> u64 {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let epoch = *EPOCH.get_or_init(Instant::now);
    u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(NEVER - 1)
}

/// The deadline of the call running on a connection, which SQLite's
/// progress handler checks: a statement still running past it is
/// interrupted (`SQLITE_INTERRUPT`), and `fired` says why.
#[derive(Debug, Default)]
struct Watch {
    deadline: AtomicU64,
    fired: AtomicBool,
}

/// A live SQLite connection for [`Lite`](super::Lite): a
/// `rusqlite::Connection` with its prepared statements cached, and the
/// transaction levels entable opened on it.
///
/// Transaction control goes through [`Backend`](crate::driver::Backend)
/// (`begin`, `commit`, …), which keeps the count of open levels; a
/// `BEGIN` sent as a plain statement is not counted.
pub struct LiteConn {
    conn: Connection,
    /// Open levels: 1 is the transaction, each further one a savepoint.
    depth: usize,
    /// Levels whose rollback was queued (a dropped guard), run before the
    /// connection's next statement.
    pending_rollbacks: usize,
    /// The running call's deadline (see [`LiteConn::arm`]).
    watch: Arc<Watch>,
}

impl std::fmt::Debug for LiteConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiteConn")
            .field("path", &self.conn.path())
            .field("depth", &self.depth)
            .field("pending_rollbacks", &self.pending_rollbacks)
            .finish()
    }
}

/// A call's deadline on a [`LiteConn`] (see [`LiteConn::arm`]); ended on
/// drop.
#[derive(Debug)]
pub struct Armed {
    watch: Arc<Watch>,
}

impl Armed {
    /// Ends the deadline; whether a statement was interrupted for it.
    pub fn disarm(self) -> bool {
        self.watch.deadline.store(NEVER, Ordering::Relaxed);
        self.watch.fired.swap(false, Ordering::Relaxed)
    }
}

impl Drop for Armed {
    fn drop(&mut self) {
        self.watch.deadline.store(NEVER, Ordering::Relaxed);
    }
}

impl LiteConn {
    /// Opens (creating it if missing) the database file at `path`, set up
    /// as sqlx-sqlite sets up entable's connections: foreign keys
    /// enforced, a 5 s busy timeout, `REGEXP` registered.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DriverError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Self::open_with_flags(path, flags)
    }

    /// [`open`](Self::open) with SQLite's open flags (read-only, no
    /// create, shared cache, …).
    pub fn open_with_flags(path: impl AsRef<Path>, flags: OpenFlags) -> Result<Self, DriverError> {
        let conn = Connection::open_with_flags(path, flags).map_err(driver_error)?;
        Self::from_connection(conn)
    }

    /// A private in-memory database (gone when the connection closes).
    pub fn open_in_memory() -> Result<Self, DriverError> {
        Self::from_connection(Connection::open_in_memory().map_err(driver_error)?)
    }

    /// Wraps an open connection, applying the set-up of [`open`](Self::open)
    /// (foreign keys, busy timeout, `REGEXP`, statement cache size).
    pub fn from_connection(conn: Connection) -> Result<Self, DriverError> {
        conn.busy_timeout(BUSY_TIMEOUT).map_err(driver_error)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(driver_error)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        register_regexp(&conn).map_err(driver_error)?;
        let watch = Arc::new(Watch {
            deadline: AtomicU64::new(NEVER),
            fired: AtomicBool::new(false),
        });
        let seen = Arc::clone(&watch);
        conn.progress_handler(
            CLOCK_EVERY,
            Some(move || {
                let deadline = seen.deadline.load(Ordering::Relaxed);
                let late = deadline != NEVER && now_nanos() >= deadline;
                if late {
                    seen.fired.store(true, Ordering::Relaxed);
                }
                late
            }),
        )
        .map_err(driver_error)?;
        Ok(LiteConn {
            conn,
            depth: 0,
            pending_rollbacks: 0,
            watch,
        })
    }

    /// Interrupts any statement still running `limit` from now, until the
    /// returned guard is dropped or [`Armed::disarm`]ed: a statement never
    /// yields, so a timer outside it could not stop it. The guard ends the
    /// deadline even when the call is dropped before it ends, so no later
    /// statement on the connection meets it.
    pub fn arm(&self, limit: Option<Duration>) -> Armed {
        let deadline = limit.map_or(NEVER, |limit| {
            now_nanos().saturating_add(u64::try_from(limit.as_nanos()).unwrap_or(NEVER))
        });
        self.watch.fired.store(false, Ordering::Relaxed);
        self.watch.deadline.store(deadline, Ordering::Relaxed);
        Armed {
            watch: Arc::clone(&self.watch),
        }
    }

    /// Ends any deadline set by [`arm`](Self::arm).
    pub fn disarm(&self) {
        self.watch.deadline.store(NEVER, Ordering::Relaxed);
        self.watch.fired.store(false, Ordering::Relaxed);
    }

    /// The rusqlite connection, for settings (`PRAGMA journal_mode`, …).
    /// Transactions opened through it are not counted by
    /// [`Backend::transaction_depth`](crate::driver::Backend::transaction_depth).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Runs the rollbacks queued by `start_rollback`. Every statement does
    /// this first; a pool calls it when a connection comes back, and drops
    /// the connection if it fails (the rollback stays queued then, so the
    /// connection is never used inside the abandoned transaction).
    pub fn settle(&mut self) -> Result<(), DriverError> {
        while self.pending_rollbacks > 0 {
            self.undo_level()?;
            // `undo_level` clears the queue when SQLite had already ended
            // the transaction.
            self.pending_rollbacks = self.pending_rollbacks.saturating_sub(1);
        }
        Ok(())
    }

    /// Runs a statement, stepping through any rows it returns.
    pub(super) fn execute(&mut self, sql: &str, args: &LiteArgs) -> Result<Done, DriverError> {
        self.settle()?;
        let mut statement = self.conn.prepare_cached(sql).map_err(driver_error)?;
        bind(&mut statement, args.values())?;
        // `changes()` is that of the last write on the connection: a
        // statement that writes nothing affected no rows.
        let writes = !statement.readonly();
        let mut rows = statement.raw_query();
        while rows.next().map_err(driver_error)?.is_some() {}
        drop(rows);
        drop(statement);
        Ok(Done {
            rows_affected: if writes { self.conn.changes() } else { 0 },
            last_insert_id: u64::try_from(self.conn.last_insert_rowid()).ok(),
        })
    }

    /// Runs a statement; its rows, at most `limit` of them.
    pub(super) fn query(
        &mut self,
        sql: &str,
        args: &LiteArgs,
        limit: Option<usize>,
    ) -> Result<Vec<LiteRow>, DriverError> {
        self.settle()?;
        let mut statement = self.conn.prepare_cached(sql).map_err(driver_error)?;
        bind(&mut statement, args.values())?;
        let columns = statement.column_count();
        let mut rows = statement.raw_query();
        let mut out = Vec::new();
        while limit.is_none_or(|limit| out.len() < limit) {
            let Some(row) = rows.next().map_err(driver_error)? else {
                break;
            };
            let mut values = Vec::with_capacity(columns);
            for index in 0..columns {
                values.push(owned(row.get_ref(index).map_err(driver_error)?));
            }
            out.push(LiteRow::new(values));
        }
        Ok(out)
    }

    /// Runs SQL without bound values, possibly several statements.
    pub(super) fn execute_script(&mut self, sql: &str) -> Result<(), DriverError> {
        self.settle()?;
        self.conn.execute_batch(sql).map_err(driver_error)
    }

    /// Opens a transaction (`statement`, or `BEGIN`), or a savepoint inside
    /// the open one, named as sqlx-sqlite names it.
    pub(super) fn begin(&mut self, statement: Option<&str>) -> Result<(), DriverError> {
        self.settle()?;
        let sql = match (statement, self.depth) {
            // A custom `BEGIN` inside a transaction would fail in SQLite;
            // sqlx refuses it with this error before sending it.
            (Some(_), depth) if depth > 0 => return Err(DriverError::InvalidSavePointStatement),
            (Some(statement), _) => statement.to_owned(),
            (None, 0) => "BEGIN".to_owned(),
            (None, depth) => format!("SAVEPOINT _sqlx_savepoint_{depth}"),
        };
        self.conn.execute_batch(&sql).map_err(driver_error)?;
        if statement.is_some() && self.conn.is_autocommit() {
            // The custom statement was not a `BEGIN` of any kind.
            return Err(DriverError::BeginFailed);
        }
        self.depth += 1;
        Ok(())
    }

    /// Commits the innermost level (releases its savepoint); nothing when
    /// none is open.
    pub(super) fn commit(&mut self) -> Result<(), DriverError> {
        self.settle()?;
        let sql = match self.depth {
            0 => return Ok(()),
            1 => "COMMIT".to_owned(),
            depth => format!("RELEASE SAVEPOINT _sqlx_savepoint_{}", depth - 1),
        };
        self.end_level(&sql)
    }

    /// Runs `sql`, which ends the innermost level (commits, releases or
    /// rolls it back); on failure, forgets the levels SQLite has ended.
    fn end_level(&mut self, sql: &str) -> Result<(), DriverError> {
        match self.conn.execute_batch(sql) {
            Ok(()) => {
                self.depth -= 1;
                Ok(())
            }
            Err(error) => {
                self.forget_if_gone();
                Err(driver_error(error))
            }
        }
    }

    /// Rolls the innermost level back; nothing when none is open.
    pub(super) fn rollback(&mut self) -> Result<(), DriverError> {
        self.settle()?;
        self.undo_level()
    }

    /// Queues a rollback of the innermost level not yet queued, run before
    /// the next statement (a guard dropped on a cancelled operation).
    pub(super) fn start_rollback(&mut self) {
        if self.pending_rollbacks < self.depth {
            self.pending_rollbacks += 1;
        }
    }

    /// The open levels, not counting those whose rollback is queued: what
    /// the caller's next statement will run inside.
    pub(super) fn transaction_depth(&self) -> usize {
        self.depth - self.pending_rollbacks
    }

    /// Rolls back the innermost open level: `ROLLBACK`, or the savepoint
    /// rolled back to and released (sqlx-sqlite leaves it on SQLite's
    /// stack; releasing it keeps the stack as deep as `depth`).
    fn undo_level(&mut self) -> Result<(), DriverError> {
        if self.depth == 0 {
            return Ok(());
        }
        if self.conn.is_autocommit() {
            // SQLite already rolled the whole transaction back (an I/O
            // error, a full disk, an interrupt): what was asked is done.
            self.depth = 0;
            self.pending_rollbacks = 0;
            return Ok(());
        }
        let sql = match self.depth {
            1 => "ROLLBACK".to_owned(),
            depth => format!(
                "ROLLBACK TO SAVEPOINT _sqlx_savepoint_{n}; RELEASE SAVEPOINT _sqlx_savepoint_{n}",
                n = depth - 1
            ),
        };
        self.end_level(&sql)
    }

    /// After a failed transaction statement: if no transaction is open any
    /// more, no level is.
    fn forget_if_gone(&mut self) {
        if self.conn.is_autocommit() {
            self.depth = 0;
            self.pending_rollbacks = 0;
        }
    }
}

/// A column value copied out of SQLite. Text that is not UTF-8 (SQLite
/// does not check) is kept as its bytes, so the row still reads and only a
/// `String` decode of that column fails.
pub(super) fn owned(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) => Value::Integer(n),
        ValueRef::Real(x) => Value::Real(x),
        ValueRef::Text(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => Value::Text(text.to_owned()),
            Err(_) => Value::Blob(bytes.to_vec()),
        },
        ValueRef::Blob(bytes) => Value::Blob(bytes.to_vec()),
    }
}

/// Binds `args` to the statement's parameters the way sqlx-sqlite does:
/// `?` takes the next value, `?NNN` and `$NNN` the NNN-th; a parameter
/// without a value stays NULL.
pub(super) fn bind(statement: &mut Statement<'_>, args: &[Value]) -> Result<(), DriverError> {
    let mut next = 0;
    for parameter in 1..=statement.parameter_count() {
        let index = match statement.parameter_name(parameter) {
            None => {
                next += 1;
                next
            }
            Some(name) => name
                .strip_prefix('?')
                .or_else(|| name.strip_prefix('$'))
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| {
                    DriverError::InvalidArgument(format!(
                        "unsupported SQL parameter {name}: use ?, ?NNN or $NNN"
                    ))
                })?,
        };
        if let Some(value) = index.checked_sub(1).and_then(|i| args.get(i)) {
            statement
                .raw_bind_parameter(parameter, value)
                .map_err(driver_error)?;
        }
    }
    Ok(())
}

/// `text REGEXP pattern`, as sqlx-sqlite's `with_regexp` registers it
/// (entable's case-insensitive text filters rely on it): Rust's `regex`,
/// compiled once per statement, NULL when either side is NULL.
fn register_regexp(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "regexp",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            if matches!(ctx.get_raw(0), ValueRef::Null) {
                return Ok(None);
            }
            let regex = ctx.get_or_create_aux(0, |pattern| {
                let pattern = pattern.as_str().map_err(|e| e.to_string())?;
                regex::Regex::new(pattern).map_err(|e| e.to_string())
            })?;
            let matched = match ctx.get_raw(1) {
                ValueRef::Null => return Ok(None),
                ValueRef::Integer(n) => regex.is_match(&n.to_string()),
                ValueRef::Real(x) => regex.is_match(&format!("{x:?}")),
                ValueRef::Text(text) | ValueRef::Blob(text) => {
                    let text = std::str::from_utf8(text)
                        .map_err(|e| rusqlite::Error::UserFunctionError(Box::new(e)))?;
                    regex.is_match(text)
                }
            };
            Ok(Some(matched))
        },
    )
}
