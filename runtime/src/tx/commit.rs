//! Committing a transaction, and learning what happened when the answer to
//! `COMMIT` is lost.
//!
//! A `COMMIT` whose reply never arrives (the connection cut, a timeout) may
//! have been applied: reporting it as an ordinary error would invite a
//! retry that applies the work twice. On PostgreSQL entable reads the
//! transaction's id and its session's process id before `COMMIT` (one
//! round trip), and after a lost answer asks the server on a fresh
//! connection with `txid_status`; a session still idle in the transaction
//! is ended so that the answer becomes final. Elsewhere the outcome is
//! reported as unknown.

use std::time::{Duration, Instant};

use super::{State, control_timed, tx_context, usage};
use crate::conn::{Pooled, timed};
use crate::db::Db;
#[cfg(feature = "postgres")]
use crate::driver::{Backend, Pg, statement};
#[cfg(feature = "postgres")]
use crate::error::bind_error;
use crate::error::{Error, Result};

/// What is known of the transaction for asking about it later.
enum Identity {
    /// PostgreSQL: the transaction's id (none when it wrote nothing) and its
    /// session's process id.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Postgres { xid: Option<i64>, pid: i32 },
    /// Nothing can be asked.
    Unknown,
}

/// Commits the transaction in `state` (level 1).
pub(super) async fn commit(db: &Db, state: &mut State) -> Result<()> {
    let context = tx_context();
    let limit = db.guard.timeout;
    state.depth = 0;
    let Some(mut conn) = state.conn.take() else {
        return Err(usage("this transaction has already ended"));
    };
    let identity = match timed(limit, context, identify(&mut conn.pooled)).await {
        Ok(identity) => identity,
        Err(error) => {
            // Not committed: dropped open, the connection rolls back (or,
            // broken, is closed and the server rolls back).
            if error.breaks_connection() {
                conn.pooled.discard();
                db.guard.suspect_all();
            }
            return Err(error);
        }
    };
    let outcome = control_timed(limit, conn.pooled.commit()).await;
    match outcome {
        Ok(()) => {
            conn.open = false;
            Ok(())
        }
        // The server answered: the transaction was not committed.
        Err(error) if !error.breaks_connection() => Err(error),
        Err(error) => {
            conn.pooled.discard();
            drop(conn);
            db.guard.suspect_all();
            resolve(db, identity, error).await
        }
    }
}

async fn identify(pooled: &mut Pooled) -> Result<Identity> {
    match pooled {
        #[cfg(feature = "postgres")]
        Pooled::Postgres(c) => {
            let fail = |source| Error::Database {
                context: tx_context(),
                source,
            };
            let row = statement::fetch_one_control::<Pg>(
                &mut **c,
                "SELECT txid_current_if_assigned(), pg_backend_pid()",
                Default::default(),
            )
            .await
            .map_err(fail)?;
            let xid: Option<i64> = Pg::get(&row, 0).map_err(fail)?;
            let pid: i32 = Pg::get(&row, 1).map_err(fail)?;
            Ok(Identity::Postgres { xid, pid })
        }
        _ => Ok(Identity::Unknown),
    }
}

/// What became of a transaction whose `COMMIT` got no answer.
async fn resolve(db: &Db, identity: Identity, error: Error) -> Result<()> {
    let Identity::Postgres { xid, pid } = identity else {
        return Err(Error::CommitUnknown {
            reason: error.to_string(),
        });
    };
    // A transaction that wrote nothing has nothing to lose.
    let Some(xid) = xid else {
        return Ok(());
    };
    // Long enough for a session to be ended and its status to settle.
    let limit = db
        .guard
        .timeout
        .unwrap_or(Duration::from_secs(30))
        .max(Duration::from_secs(2));
    let started = Instant::now();
    let mut ended_session = false;
    while started.elapsed() < limit {
        match status(db, xid).await.as_deref() {
            Some("committed") => return Ok(()),
            Some("aborted") => {
                return Err(Error::TxAborted {
                    reason: format!("COMMIT failed ({error}); the server rolled it back"),
                });
            }
            // Still open: the session has not seen the cut yet, or never got
            // the COMMIT. Ending it (as the server would once it saw the
            // connection gone) makes the answer final; a COMMIT already
            // being written completes first.
            Some(_) if !ended_session => {
                ended_session = terminate(db, pid).await;
            }
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(Error::CommitUnknown {
        reason: format!("{error}; the server did not say within {limit:?}"),
    })
}

/// `txid_status` of `xid`, asked on a fresh connection; `None` when the
/// server cannot be asked now.
#[cfg(feature = "postgres")]
async fn status(db: &Db, xid: i64) -> Option<String> {
    let context = tx_context();
    let mut pooled = db.checkout(context).await.ok()?;
    let Pooled::Postgres(c) = &mut pooled else {
        return None;
    };
    let asked = timed(db.guard.timeout, context, async {
        let mut args = <Pg as Backend>::Args::default();
        Pg::bind_i64(&mut args, xid).map_err(|e| bind_error(context, e))?;
        statement::fetch_scalar::<Pg, Option<String>>(&mut **c, "SELECT txid_status($1)", args)
            .await
            .map_err(|source| Error::Database { context, source })
    })
    .await;
    db.settle(&mut pooled, &asked);
    asked.ok().flatten()
}

#[cfg(feature = "postgres")]
async fn terminate(db: &Db, pid: i32) -> bool {
    let context = tx_context();
    let Ok(mut pooled) = db.checkout(context).await else {
        return false;
    };
    let Pooled::Postgres(c) = &mut pooled else {
        return false;
    };
    let ended = timed(db.guard.timeout, context, async {
        let mut args = <Pg as Backend>::Args::default();
        crate::driver::bind::<Pg, i32>(&mut args, &pid).map_err(|e| bind_error(context, e))?;
        statement::fetch_scalar::<Pg, bool>(&mut **c, "SELECT pg_terminate_backend($1)", args)
            .await
            .map_err(|source| Error::Database { context, source })
    })
    .await;
    db.settle(&mut pooled, &ended);
    ended.is_ok()
}

#[cfg(not(feature = "postgres"))]
async fn status(_: &Db, _: i64) -> Option<String> {
    None
}

#[cfg(not(feature = "postgres"))]
async fn terminate(_: &Db, _: i32) -> bool {
    false
}
