//! SQLite through rusqlite, called synchronously (feature `rusqlite`).
//!
//! [`Lite`] is the second implementation of [`Backend`]: a [`LiteConn`]
//! owns a `rusqlite::Connection` (bundled SQLite, the same
//! `libsqlite3-sys` sqlx-sqlite links, so both drivers can sit in one
//! build). A statement runs on the thread that polls its future, inside
//! the first poll: there is no worker thread and no channel, which is the
//! whole gain over sqlx-sqlite (a row decodes in a fraction of the time
//! sqlx-sqlite takes to send it across threads). The price is that a
//! statement blocks the polling thread while SQLite works; the pool that
//! will hand these connections out decides where that thread is.
//!
//! Values are stored exactly as sqlx-sqlite 0.9 stores them (see
//! [`LiteValue`]): a database written through one driver reads back
//! through the other. Transactions use sqlx's statements and savepoint
//! names (`BEGIN`, `SAVEPOINT _sqlx_savepoint_1`, …). Errors are
//! `sqlx::Error`s, with SQLite's own errors as a [`LiteError`], so
//! entable's classification of constraint violations reads them
//! unchanged.
//!
//! A `Db` on a `sqlite:` URL uses it by default (see
//! [`SqliteDriver`](crate::SqliteDriver)), with a pool of these
//! connections; `run_call` decides the thread a call runs on
//! ([`LiteThreading`]).

mod conn;
mod dates;
mod error;
#[cfg(feature = "migrate")]
mod migrate;
mod pool;
mod rows;
mod values;

#[cfg(test)]
mod tests;
#[cfg(all(test, feature = "sqlx-sqlite"))]
mod tests_compat;
#[cfg(all(test, feature = "sqlx-sqlite", feature = "chrono", feature = "json"))]
mod tests_entity;
#[cfg(test)]
mod tests_errors;
#[cfg(test)]
mod tests_tx;

pub use conn::{Armed, LiteConn};
pub use error::LiteError;
pub(crate) use pool::{LitePool, LitePooled};
pub use rows::{LiteArgs, LiteRow};
pub use values::LiteValue;

use futures_core::Stream;
use rusqlite::types::Value;

use super::{Backend, BindError, Done, DriverError, LiteThreading, SqlText};
use crate::backend::Dialect;

/// SQLite through rusqlite: statements run inline, on the polling thread.
#[derive(Debug, Clone, Copy)]
pub struct Lite;

impl Backend for Lite {
    const DIALECT: Dialect = Dialect::Sqlite;
    type Conn = LiteConn;
    type Row = LiteRow;
    type Args = LiteArgs;

    fn is_null(row: &LiteRow, index: usize) -> Result<bool, DriverError> {
        match row.value(index) {
            Some(value) => Ok(matches!(value, Value::Null)),
            None => Err(DriverError::ColumnIndexOutOfBounds {
                index,
                len: row.len(),
            }),
        }
    }

    fn bind_text(args: &mut LiteArgs, text: String) -> Result<(), BindError> {
        args.push(Value::Text(text));
        Ok(())
    }

    fn bind_i64(args: &mut LiteArgs, n: i64) -> Result<(), BindError> {
        args.push(Value::Integer(n));
        Ok(())
    }

    fn args_len(args: &LiteArgs) -> usize {
        args.len()
    }

    fn reserve_args(args: &mut LiteArgs, values: usize) {
        args.reserve(values);
    }

    // Each statement is an `async fn`: it runs when the future is first
    // polled (never when it is merely built), and the future is ready at
    // that poll. Nothing is held across an await point, which keeps
    // rusqlite's non-`Send` statement handles out of the future.

    async fn execute(
        conn: &mut LiteConn,
        sql: SqlText,
        args: LiteArgs,
    ) -> Result<Done, DriverError> {
        conn.execute(sql.as_str(), &args)
    }

    async fn fetch_optional(
        conn: &mut LiteConn,
        sql: SqlText,
        args: LiteArgs,
    ) -> Result<Option<LiteRow>, DriverError> {
        let rows = conn.query(sql.as_str(), &args, Some(1))?;
        Ok(rows.into_iter().next())
    }

    async fn fetch_all(
        conn: &mut LiteConn,
        sql: SqlText,
        args: LiteArgs,
    ) -> Result<Vec<LiteRow>, DriverError> {
        conn.query(sql.as_str(), &args, None)
    }

    fn fetch<'c>(
        conn: &'c mut LiteConn,
        sql: SqlText,
        args: LiteArgs,
    ) -> impl Stream<Item = Result<LiteRow, DriverError>> + Send + 'c {
        rows::RowStream::new(conn, sql, args)
    }

    async fn execute_script(conn: &mut LiteConn, sql: SqlText) -> Result<(), DriverError> {
        conn.execute_script(sql.as_str())
    }

    async fn begin(conn: &mut LiteConn, statement: Option<SqlText>) -> Result<(), DriverError> {
        conn.begin(statement.as_ref().map(SqlText::as_str))
    }

    async fn commit(conn: &mut LiteConn) -> Result<(), DriverError> {
        conn.commit()
    }

    async fn rollback(conn: &mut LiteConn) -> Result<(), DriverError> {
        conn.rollback()
    }

    fn start_rollback(conn: &mut LiteConn) {
        conn.start_rollback();
    }

    fn transaction_depth(conn: &LiteConn) -> usize {
        conn.transaction_depth()
    }

    fn copy_in<'c>(
        _conn: &'c mut LiteConn,
        _statement: String,
        _data: Vec<u8>,
    ) -> impl Future<Output = Result<u64, DriverError>> + Send + 'c {
        // Not `Protocol`, which entable reads as a lost connection.
        std::future::ready(Err(DriverError::InvalidArgument(
            "COPY is PostgreSQL's".into(),
        )))
    }
}

/// Runs `call`, one repository call with all its statements, where
/// `threading` says. With [`LiteThreading::BlockInPlace`] on a
/// multi-threaded runtime, the call runs whole inside `block_in_place`
/// (one hand-off of the runtime's other tasks per call); where tokio does
/// not allow that (current-thread runtime, `LocalSet`, no runtime), inline.
/// Either way it runs on the caller's task: a panic inside it (a hook's)
/// unwinds to the caller as on every driver, and the connection's guards
/// roll back what it opened on the way.
pub(crate) async fn run_call<F: Future>(threading: LiteThreading, call: F) -> F::Output {
    use tokio::runtime::{Handle, RuntimeFlavor};
    if threading == LiteThreading::BlockInPlace
        && let Ok(handle) = Handle::try_current()
        && handle.runtime_flavor() == RuntimeFlavor::MultiThread
        && !IN_LOCAL_SET.get()
    {
        // `block_in_place` refuses (panics, before running anything)
        // inside a `LocalSet`, which cannot be detected beforehand: the
        // refusal is caught, remembered for the thread, and the call runs
        // inline.
        let mut call = Some(call);
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            tokio::task::block_in_place(|| call.take().map(|call| handle.block_on(call)))
        }));
        return match (ran, call) {
            (Ok(Some(output)), _) => output,
            // Refused before the call started: it is still here.
            (Err(_), Some(call)) => {
                IN_LOCAL_SET.set(true);
                call.await
            }
            // The call itself panicked.
            (Err(panic), None) => std::panic::resume_unwind(panic),
            (Ok(None), Some(call)) => call.await,
            (Ok(None), None) => unreachable!("a call that did not run is still here"),
        };
    }
    call.await
}

thread_local! {
    /// Set on a thread where `block_in_place` was refused.
    static IN_LOCAL_SET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}
