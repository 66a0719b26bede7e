//! Transactions: [`Tx`], nested savepoints, the closure forms
//! ([`Db::transaction`], [`Tx::transaction`]) and retries ([`Db::run_tx`]).
//!
//! A `Tx` is a handle on one connection with an open transaction. Handles
//! share that connection through a lock, which is what lets the closure
//! forms hand the closure an owned `Tx` (so its future is `Send` and
//! `'static`, and no lifetime has to be named) while the caller keeps the
//! power to commit or roll back after the closure returns.
//!
//! Each handle has a level: 1 for the transaction, 2 and up for savepoints
//! inside it. Statements run only through the innermost open level, so work
//! cannot land in a savepoint the caller did not mean.

mod options;
mod retry;
mod scope;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::AssertSqlSafe;

use crate::backend::Dialect;
use crate::db::{Db, Pool};
use crate::error::{Context, Error, Result};

pub use options::{Isolation, TxOptions};
pub use retry::{Retry, TxError};

/// A transaction, or a savepoint inside one.
///
/// Commit it with [`Tx::commit`]; dropped without a commit, it rolls back
/// (a savepoint rolls back to where it began, the rest of the transaction
/// stays). A dropped transaction's `ROLLBACK` is sent as its connection
/// returns to the pool, in a task sqlx spawns: other connections may see its
/// locks for that moment (SQLite reports a busy or locked database, which
/// [`Error::is_retryable`] covers). [`Tx::rollback`] waits for it. [`Tx::begin`] opens a savepoint; [`Db::transaction`] and
/// [`Tx::transaction`] run a closure and commit or roll back by its result.
///
/// ```
/// # use entable::Db;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> entable::Result<()> {
/// let db = Db::connect("sqlite::memory:").await?;
/// let tx = db.begin().await?;
/// let savepoint = tx.begin().await?;
/// savepoint.rollback().await?; // only the savepoint's work is undone
/// tx.commit().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Tx {
    pub(crate) shared: Arc<Shared>,
    level: usize,
    /// Handed to a closure: the closure form commits or rolls back, so the
    /// handle itself cannot, and dropping it does nothing.
    scoped: bool,
    finished: bool,
}

#[derive(Debug)]
pub(crate) struct Shared {
    dialect: Dialect,
    state: tokio::sync::Mutex<State>,
    /// The lowest savepoint level whose handle was dropped while open:
    /// rolled back before the next statement. `usize::MAX` when none. An
    /// atomic so that `Drop` never waits for the lock.
    abandoned: AtomicUsize,
    /// The audit context of changes made in this transaction, if set.
    audit: std::sync::RwLock<Option<Arc<crate::audit::AuditContext>>>,
}

#[derive(Debug)]
pub(crate) struct State {
    conn: Option<TxConn>,
    /// Open levels: 1 inside the transaction, 1 + n with n savepoints.
    depth: usize,
}

/// The connection, inside sqlx's transaction (which rolls back when dropped
/// unfinished and returns the connection to the pool).
#[derive(Debug)]
pub(crate) enum TxConn {
    #[cfg(feature = "postgres")]
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
    #[cfg(feature = "mysql")]
    MySql(sqlx::Transaction<'static, sqlx::MySql>),
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    #[allow(dead_code)]
    Never(std::convert::Infallible),
}

fn usage(reason: &str) -> Error {
    Error::Usage {
        context: Context {
            entity: "Tx",
            operation: "transaction",
        },
        reason: reason.to_owned(),
    }
}

impl Db {
    /// Starts a transaction on one connection of the pool.
    pub async fn begin(&self) -> Result<Tx> {
        self.begin_with(TxOptions::default()).await
    }

    /// Starts a transaction with an isolation level or read-only mode; see
    /// [`TxOptions`] for what each dialect does with them.
    pub async fn begin_with(&self, options: TxOptions) -> Result<Tx> {
        let conn = match &self.pool {
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => TxConn::Postgres(options.begin_postgres(pool).await?),
            #[cfg(feature = "mysql")]
            Pool::MySql(pool) => TxConn::MySql(options.begin_mysql(pool).await?),
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(pool) => TxConn::Sqlite(options.begin_sqlite(pool).await?),
            Pool::Never(never) => match *never {},
        };
        Ok(Tx {
            shared: Arc::new(Shared {
                dialect: self.dialect(),
                state: tokio::sync::Mutex::new(State {
                    conn: Some(conn),
                    depth: 1,
                }),
                abandoned: AtomicUsize::new(usize::MAX),
                audit: std::sync::RwLock::new(None),
            }),
            level: 1,
            scoped: false,
            finished: false,
        })
    }
}

impl Tx {
    /// The dialect of the transaction's database.
    pub fn dialect(&self) -> Dialect {
        self.shared.dialect
    }

    /// Logs the changes made in this transaction from now on with `context`,
    /// instead of the task's ([`AuditContext::scope`]). It belongs to the
    /// whole transaction: set on a savepoint's handle, it stays after the
    /// savepoint ends.
    ///
    /// [`AuditContext::scope`]: crate::AuditContext::scope
    pub fn set_audit_context(&self, context: crate::AuditContext) {
        let mut slot = self
            .shared
            .audit
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *slot = Some(Arc::new(context));
    }

    /// The audit context set with [`set_audit_context`](Self::set_audit_context).
    pub fn audit_context(&self) -> Option<Arc<crate::AuditContext>> {
        self.shared
            .audit
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// 1 for a transaction, 2 and up for savepoints inside it.
    pub fn level(&self) -> usize {
        self.level
    }

    /// Opens a savepoint: a nested transaction whose work can be rolled back
    /// alone. Until it is committed or rolled back, statements run through
    /// it, not through `self`.
    pub async fn begin(&self) -> Result<Tx> {
        let mut state = self.lock().await?;
        state.require_innermost(self.level)?;
        let level = self.level + 1;
        state
            .execute(&format!("SAVEPOINT {}", savepoint(level)))
            .await?;
        state.depth = level;
        Ok(Tx {
            shared: Arc::clone(&self.shared),
            level,
            scoped: false,
            finished: false,
        })
    }

    /// Makes the work permanent: commits the transaction, or releases the
    /// savepoint into its parent.
    pub async fn commit(mut self) -> Result<()> {
        if self.scoped {
            return Err(usage(
                "this transaction belongs to a closure: it commits when the closure returns Ok",
            ));
        }
        self.finished = true;
        let mut state = self.lock().await?;
        state.require_innermost(self.level)?;
        if self.level == 1 {
            state.depth = 0;
            match state.take()? {
                #[cfg(feature = "postgres")]
                TxConn::Postgres(tx) => tx.commit().await?,
                #[cfg(feature = "mysql")]
                TxConn::MySql(tx) => tx.commit().await?,
                #[cfg(feature = "sqlite")]
                TxConn::Sqlite(tx) => tx.commit().await?,
                TxConn::Never(never) => match never {},
            }
        } else {
            state
                .execute(&format!("RELEASE SAVEPOINT {}", savepoint(self.level)))
                .await?;
            state.depth = self.level - 1;
        }
        Ok(())
    }

    /// Undoes the work: rolls back the transaction, or returns to where the
    /// savepoint began. Savepoints opened inside are undone with it.
    pub async fn rollback(mut self) -> Result<()> {
        if self.scoped {
            return Err(usage(
                "this transaction belongs to a closure: it rolls back when the closure returns Err",
            ));
        }
        self.finished = true;
        let mut state = self.lock().await?;
        state.roll_back_to(self.level).await
    }

    /// The state, locked for a statement or a change of level, with any
    /// abandoned savepoint rolled back first.
    async fn lock(&self) -> Result<tokio::sync::MutexGuard<'_, State>> {
        let mut state = self.shared.state.lock().await;
        let abandoned = self.shared.abandoned.swap(usize::MAX, Ordering::AcqRel);
        if abandoned != usize::MAX {
            state.roll_back_to(abandoned).await?;
        }
        if state.conn.is_none() || state.depth < self.level {
            return Err(usage("this transaction has already ended"));
        }
        Ok(state)
    }

    /// The state, locked for a statement through this handle.
    pub(crate) async fn for_statement(&self) -> Result<tokio::sync::MutexGuard<'_, State>> {
        let state = self.lock().await?;
        state.require_innermost(self.level)?;
        Ok(state)
    }

    /// A handle on the same level for a closure to use.
    fn scoped(&self) -> Tx {
        Tx {
            shared: Arc::clone(&self.shared),
            level: self.level,
            scoped: true,
            finished: false,
        }
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        if self.scoped || self.finished {
            return;
        }
        // Rolled back before the next statement, or, for the transaction
        // itself, when the last handle goes and sqlx's transaction drops.
        self.shared
            .abandoned
            .fetch_min(self.level, Ordering::AcqRel);
        if self.level == 1
            && let Ok(mut state) = self.shared.state.try_lock()
        {
            // Hands the connection back now rather than when the last
            // scoped handle is gone; sqlx rolls back on its next use.
            state.depth = 0;
            state.conn = None;
        }
    }
}

impl State {
    pub(crate) fn conn(&mut self) -> Result<&mut TxConn> {
        self.conn
            .as_mut()
            .ok_or_else(|| usage("this transaction has already ended"))
    }

    fn take(&mut self) -> Result<TxConn> {
        self.conn
            .take()
            .ok_or_else(|| usage("this transaction has already ended"))
    }

    fn require_innermost(&self, level: usize) -> Result<()> {
        if self.depth > level {
            return Err(usage(
                "a savepoint opened from this transaction is still open: use it, or commit or roll it back first",
            ));
        }
        Ok(())
    }

    /// Rolls back everything from `level` on (the whole transaction at 1).
    async fn roll_back_to(&mut self, level: usize) -> Result<()> {
        if self.conn.is_none() || self.depth < level {
            // Already undone by a rollback further out.
            return Ok(());
        }
        if level <= 1 {
            self.depth = 0;
            match self.take()? {
                #[cfg(feature = "postgres")]
                TxConn::Postgres(tx) => tx.rollback().await?,
                #[cfg(feature = "mysql")]
                TxConn::MySql(tx) => tx.rollback().await?,
                #[cfg(feature = "sqlite")]
                TxConn::Sqlite(tx) => tx.rollback().await?,
                TxConn::Never(never) => match never {},
            }
            return Ok(());
        }
        let name = savepoint(level);
        self.execute(&format!("ROLLBACK TO SAVEPOINT {name}"))
            .await?;
        // ROLLBACK TO keeps the savepoint on every dialect; pop it.
        self.execute(&format!("RELEASE SAVEPOINT {name}")).await?;
        self.depth = level - 1;
        Ok(())
    }

    /// Runs transaction-control SQL built from levels only (no input).
    async fn execute(&mut self, sql: &str) -> Result<()> {
        let statement = sqlx::raw_sql(AssertSqlSafe(sql.to_owned()));
        match self.conn()? {
            #[cfg(feature = "postgres")]
            TxConn::Postgres(tx) => {
                statement.execute(&mut **tx).await?;
            }
            #[cfg(feature = "mysql")]
            TxConn::MySql(tx) => {
                statement.execute(&mut **tx).await?;
            }
            #[cfg(feature = "sqlite")]
            TxConn::Sqlite(tx) => {
                statement.execute(&mut **tx).await?;
            }
            TxConn::Never(never) => match *never {},
        }
        Ok(())
    }
}

fn savepoint(level: usize) -> String {
    format!("entable_sp_{level}")
}
