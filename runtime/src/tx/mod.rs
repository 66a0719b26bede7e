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

mod commit;
mod options;
mod retry;
mod scope;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::conn::{Pooled, timed};
use crate::db::Db;
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
/// **A failed statement fails the transaction**, on every backend: once a
/// call through it returns an error from the database (a constraint
/// violation, a lost connection, a timeout), later calls and
/// [`Tx::commit`] return [`Error::TxAborted`], and nothing is committed.
/// PostgreSQL itself refuses to go on after an error; entable makes MySQL
/// and SQLite behave the same, so that `commit` returning `Ok` always
/// means every statement of the transaction took effect. To handle an
/// expected error and go on, make the call in a savepoint: a savepoint
/// that failed can be rolled back, and its parent goes on.
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
    db: Db,
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
    /// The outermost level a failure has made unable to commit, and the
    /// failure. Cleared when that level is rolled back.
    failed: Option<(usize, String)>,
    /// The pool's, told when the connection breaks.
    guard: Arc<crate::db::Guard>,
}

/// The transaction's connection. While `open`, dropping it queues a
/// `ROLLBACK` that the pool sends before the connection is used again.
#[derive(Debug)]
pub(crate) struct TxConn {
    pooled: Pooled,
    open: bool,
}

impl Drop for TxConn {
    fn drop(&mut self) {
        if self.open {
            self.pooled.start_rollback();
        }
    }
}

fn usage(reason: &str) -> Error {
    Error::Usage {
        context: tx_context(),
        reason: reason.to_owned(),
    }
}

fn tx_context() -> Context {
    Context {
        entity: "Tx",
        operation: "transaction",
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
        let context = tx_context();
        let mut pooled = self.checkout(context).await?;
        let (prepare, begin) = options.begin_sql(self.dialect());
        let outcome = timed(self.guard.timeout, context, async {
            if let Some(prepare) = prepare {
                pooled.execute_raw(prepare).await?;
            }
            pooled.begin(begin).await?;
            Ok(())
        })
        .await;
        self.settle(&mut pooled, &outcome);
        outcome?;
        Ok(Tx {
            shared: Arc::new(Shared {
                db: self.clone(),
                state: tokio::sync::Mutex::new(State {
                    conn: Some(TxConn { pooled, open: true }),
                    depth: 1,
                    failed: None,
                    guard: Arc::clone(&self.guard),
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
    /// The slow-statement threshold of the transaction's pool.
    pub(crate) fn slow(&self) -> Option<Duration> {
        self.shared.db.guard.slow()
    }
}

impl Tx {
    /// The dialect of the transaction's database.
    pub fn dialect(&self) -> crate::backend::Dialect {
        self.shared.db.dialect()
    }

    pub(crate) fn timeout(&self) -> Option<Duration> {
        self.shared.db.guard.timeout
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

    /// Whether an error has left this transaction (or savepoint) unable to
    /// commit; see [`Tx`]. Rolling back the savepoint that failed clears it.
    pub async fn is_failed(&self) -> bool {
        let state = self.shared.state.lock().await;
        state.failure(self.level).is_some()
    }

    /// Opens a savepoint: a nested transaction whose work can be rolled back
    /// alone. Until it is committed or rolled back, statements run through
    /// it, not through `self`.
    pub async fn begin(&self) -> Result<Tx> {
        let mut state = self.for_statement().await?;
        let level = self.level + 1;
        let sql = format!("SAVEPOINT {}", savepoint(level));
        state.control(self.timeout(), self.level, sql).await?;
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
    ///
    /// `Ok` means committed. An error means nothing was committed, except
    /// [`Error::CommitUnknown`]: the answer to `COMMIT` was lost and the
    /// database could not be asked (on PostgreSQL entable asks it on a
    /// fresh connection first). A transaction that failed earlier (see
    /// [`Tx`]) is rolled back and returns [`Error::TxAborted`].
    pub async fn commit(mut self) -> Result<()> {
        if self.scoped {
            return Err(usage(
                "this transaction belongs to a closure: it commits when the closure returns Ok",
            ));
        }
        self.finished = true;
        let mut state = self.lock().await?;
        state.require_innermost(self.level)?;
        if let Some(reason) = state.failure(self.level) {
            let reason = reason.to_owned();
            // Only a failure of this very level is undone here; one further
            // out stays for the outer level to report.
            if state
                .failed
                .as_ref()
                .is_some_and(|(at, _)| *at >= self.level)
            {
                let _ = state.roll_back_to(self.timeout(), self.level).await;
            }
            return Err(Error::TxAborted { reason });
        }
        if self.level == 1 {
            commit::commit(&self.shared.db, &mut state).await
        } else {
            let sql = format!("RELEASE SAVEPOINT {}", savepoint(self.level));
            state.control(self.timeout(), self.level, sql).await?;
            state.depth = self.level - 1;
            Ok(())
        }
    }

    /// Undoes the work: rolls back the transaction, or returns to where the
    /// savepoint began. Savepoints opened inside are undone with it. A
    /// savepoint that failed (see [`Tx`]) is usable again after it.
    pub async fn rollback(mut self) -> Result<()> {
        if self.scoped {
            return Err(usage(
                "this transaction belongs to a closure: it rolls back when the closure returns Err",
            ));
        }
        self.finished = true;
        let mut state = self.lock().await?;
        state.roll_back_to(self.timeout(), self.level).await
    }

    /// The state, locked for a statement or a change of level, with any
    /// abandoned savepoint rolled back first.
    async fn lock(&self) -> Result<tokio::sync::MutexGuard<'_, State>> {
        let mut state = self.shared.state.lock().await;
        let abandoned = self.shared.abandoned.swap(usize::MAX, Ordering::AcqRel);
        if abandoned != usize::MAX {
            state.roll_back_to(self.timeout(), abandoned).await?;
        }
        if state.conn.is_none() || state.depth < self.level {
            return Err(usage("this transaction has already ended"));
        }
        Ok(state)
    }

    /// The state, locked for a statement through this handle: refused
    /// when a savepoint inside is open or the transaction has failed.
    pub(crate) async fn for_statement(&self) -> Result<tokio::sync::MutexGuard<'_, State>> {
        let state = self.lock().await?;
        state.require_innermost(self.level)?;
        if let Some(reason) = state.failure(self.level) {
            return Err(Error::TxAborted {
                reason: reason.to_owned(),
            });
        }
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
        // itself, when the last handle goes and its connection is dropped.
        self.shared
            .abandoned
            .fetch_min(self.level, Ordering::AcqRel);
        if self.level == 1
            && let Ok(mut state) = self.shared.state.try_lock()
        {
            // Hands the connection back now rather than when the last
            // scoped handle is gone; it is rolled back before its next use.
            state.depth = 0;
            state.conn = None;
        }
    }
}

impl State {
    pub(crate) fn pooled(&mut self) -> Result<&mut Pooled> {
        self.conn
            .as_mut()
            .map(|conn| &mut conn.pooled)
            .ok_or_else(|| usage("this transaction has already ended"))
    }

    /// Why `level` cannot commit, if it cannot: a failure at it or further
    /// out.
    fn failure(&self, level: usize) -> Option<&str> {
        self.failed
            .as_ref()
            .filter(|(at, _)| *at <= level)
            .map(|(_, why)| why.as_str())
    }

    /// Marks `level` failed (keeping an earlier failure further out).
    fn fail(&mut self, level: usize, why: &Error) {
        if self.failed.as_ref().is_none_or(|(at, _)| *at > level) {
            self.failed = Some((level, why.to_string()));
        }
    }

    /// Settles the transaction after a call through `level`: an error that
    /// reached the database fails the level; one that broke the connection
    /// fails the whole transaction and discards the connection.
    pub(crate) fn settle<T>(&mut self, level: usize, outcome: Result<T>) -> Result<T> {
        if let Err(error) = &outcome {
            if error.breaks_connection() {
                self.fail(1, error);
                if let Some(conn) = self.conn.as_mut() {
                    conn.pooled.discard();
                }
                self.guard.suspect_all();
            } else if error.fails_transaction() {
                self.fail(level, error);
            }
        }
        outcome
    }

    fn require_innermost(&self, level: usize) -> Result<()> {
        if self.depth > level {
            return Err(usage(
                "a savepoint opened from this transaction is still open: use it, or commit or roll it back first",
            ));
        }
        Ok(())
    }

    /// Runs transaction-control SQL built from levels only (no input) at
    /// `level`, timed and settled like any statement.
    async fn control(&mut self, limit: Option<Duration>, level: usize, sql: String) -> Result<()> {
        let pooled = self.pooled()?;
        let outcome = control_timed(limit, pooled.execute_raw(sql)).await;
        self.settle(level, outcome)
    }

    /// Rolls back everything from `level` on (the whole transaction at 1).
    /// A savepoint whose rollback fails leaves the whole transaction
    /// failed: the connection's state is unknown.
    async fn roll_back_to(&mut self, limit: Option<Duration>, level: usize) -> Result<()> {
        if self.conn.is_none() || self.depth < level {
            // Already undone by a rollback further out.
            return Ok(());
        }
        if level <= 1 {
            self.depth = 0;
            let Some(mut conn) = self.conn.take() else {
                return Ok(());
            };
            let outcome = control_timed(limit, conn.pooled.rollback()).await;
            match &outcome {
                Ok(()) => conn.open = false,
                // Closed, never reused: the server rolls back on its own.
                Err(_) => {
                    conn.pooled.discard();
                    self.guard.suspect_all();
                }
            }
            self.failed = None;
            return outcome;
        }
        let name = savepoint(level);
        let undone = async {
            self.control(limit, 1, format!("ROLLBACK TO SAVEPOINT {name}"))
                .await?;
            // ROLLBACK TO keeps the savepoint on every dialect; pop it.
            self.control(limit, 1, format!("RELEASE SAVEPOINT {name}"))
                .await
        }
        .await;
        if let Err(error) = &undone {
            // The savepoint's handle is spent: its level is gone either way,
            // and the transaction around it cannot commit.
            self.depth = level - 1;
            self.fail(1, error);
            return undone;
        }
        self.depth = level - 1;
        if self.failed.as_ref().is_some_and(|(at, _)| *at >= level) {
            self.failed = None;
        }
        Ok(())
    }
}

/// A transaction-control step on the connection, within `limit`, its
/// driver error as entable's.
async fn control_timed(
    limit: Option<Duration>,
    step: impl Future<Output = Result<(), sqlx::Error>>,
) -> Result<()> {
    let context = tx_context();
    timed(limit, context, async {
        step.await
            .map_err(|source| Error::Database { context, source })
    })
    .await
}

fn savepoint(level: usize) -> String {
    format!("entable_sp_{level}")
}
