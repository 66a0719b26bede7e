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
//! Not yet wired into `Db`: a [`LiteConn`] is opened directly and used
//! through [`driver::statement`](crate::driver::statement).

mod conn;
mod dates;
mod error;
mod pool;
mod rows;
mod values;

#[cfg(test)]
mod tests;
#[cfg(all(test, feature = "sqlite"))]
mod tests_compat;
#[cfg(all(test, feature = "sqlite", feature = "chrono", feature = "json"))]
mod tests_entity;
#[cfg(test)]
mod tests_errors;
#[cfg(test)]
mod tests_tx;

pub use conn::LiteConn;
pub use error::LiteError;
pub(crate) use pool::{LitePool, LitePooled};
pub use rows::{LiteArgs, LiteRow};
pub use values::LiteValue;

use futures_core::Stream;
use rusqlite::types::Value;

use super::{Backend, BindError, Done, DriverError, SqlText};
use crate::backend::Dialect;

/// SQLite through rusqlite: statements run inline, on the polling thread.
#[derive(Debug, Clone, Copy)]
pub struct Lite;

impl Backend for Lite {
    const DIALECT: Dialect = Dialect::Sqlite;
    type Conn = LiteConn;
    type Row = LiteRow;
    type Args = LiteArgs;

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
