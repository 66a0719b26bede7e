//! Rows and bound values of the rusqlite driver: owned SQLite values.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use rusqlite::types::Value;

use super::LiteConn;
use crate::driver::{DriverError, SqlText};

/// One result row: its values, copied out of SQLite in column order.
#[derive(Debug, Clone, PartialEq)]
pub struct LiteRow {
    values: Vec<Value>,
}

impl LiteRow {
    /// A row of `values`, in column order.
    pub fn new(values: Vec<Value>) -> Self {
        LiteRow { values }
    }

    /// How many columns the row has.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the row has no columns.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value of column `index`.
    pub fn value(&self, index: usize) -> Option<&Value> {
        self.values.get(index)
    }

    /// The values, in column order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The values, in column order, by value.
    pub fn into_values(self) -> Vec<Value> {
        self.values
    }
}

/// The values bound to one statement, in parameter order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiteArgs {
    values: Vec<Value>,
}

impl LiteArgs {
    /// Appends a value.
    pub fn push(&mut self, value: Value) {
        self.values.push(value);
    }

    /// How many values are bound.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no value is bound.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Makes room for `additional` more values.
    pub fn reserve(&mut self, additional: usize) {
        self.values.reserve(additional);
    }

    /// The values, in parameter order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }
}

/// `Backend::fetch`: the statement is prepared at the first poll and
/// stepped one row per poll after that, so a consumer that stops reading
/// stops SQLite (back-pressure) and memory stays at one row. Each poll is
/// ready at once: SQLite steps synchronously.
pub(super) struct RowStream<'c> {
    state: State<'c>,
}

enum State<'c> {
    Start {
        conn: &'c mut LiteConn,
        sql: SqlText,
        args: LiteArgs,
    },
    Stepping(Cursor<'c>),
    Done,
}

impl<'c> RowStream<'c> {
    pub(super) fn new(conn: &'c mut LiteConn, sql: SqlText, args: LiteArgs) -> Self {
        RowStream {
            state: State::Start { conn, sql, args },
        }
    }
}

impl Stream for RowStream<'_> {
    type Item = Result<LiteRow, DriverError>;

    fn poll_next(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // Every field is `Unpin`, so the stream is.
        let this = self.get_mut();
        if let State::Start { .. } = this.state {
            let State::Start { conn, sql, args } = std::mem::replace(&mut this.state, State::Done)
            else {
                return Poll::Ready(None);
            };
            match Cursor::open(conn, &sql, &args) {
                Ok(cursor) => this.state = State::Stepping(cursor),
                Err(error) => return Poll::Ready(Some(Err(error))),
            }
        }
        let State::Stepping(cursor) = &mut this.state else {
            return Poll::Ready(None);
        };
        match cursor.next() {
            Ok(Some(row)) => Poll::Ready(Some(Ok(row))),
            Ok(None) => {
                this.state = State::Done;
                Poll::Ready(None)
            }
            Err(error) => {
                this.state = State::Done;
                Poll::Ready(Some(Err(error)))
            }
        }
    }
}

/// A statement being stepped: the prepared statement (from the
/// connection's cache) and SQLite's cursor over it.
struct Cursor<'c> {
    // Declared first so it drops first: the cursor borrows the statement.
    rows: rusqlite::Rows<'static>,
    // Held, never read: `rows` points into it.
    _statement: Box<rusqlite::CachedStatement<'c>>,
    columns: usize,
}

// The runtime's only `unsafe` (docs/design.md, "Drivers"): rusqlite's
// cursor borrows its statement and neither is `Send`, yet a stream of rows
// must own both and move between threads.
//
// SAFETY: a cursor is made from the `&'c mut LiteConn` it consumes, so for
// as long as it lives nothing else can reach the connection; moving it to
// another thread moves the connection's only user with it (as moving the
// `LiteConn` itself does), and SQLite connections are opened in its
// multi-thread mode, which allows a connection on any one thread at a time.
// The cursor is not `Sync`: it is never used from two threads at once.
#[allow(unsafe_code)]
unsafe impl Send for Cursor<'_> {}

impl<'c> Cursor<'c> {
    fn open(conn: &'c mut LiteConn, sql: &SqlText, args: &LiteArgs) -> Result<Self, DriverError> {
        conn.settle()?;
        let conn: &'c LiteConn = conn;
        let mut statement = Box::new(
            conn.connection()
                .prepare_cached(sql.as_str())
                .map_err(super::error::driver_error)?,
        );
        super::conn::bind(&mut statement, args.values())?;
        let columns = statement.column_count();
        let rows = statement.raw_query();
        // SAFETY: `rows` borrows the boxed statement, whose heap address
        // never changes while the box lives; the box is never moved out of
        // or touched again, and `rows` drops before it (field order).
        #[allow(unsafe_code)]
        let rows =
            unsafe { std::mem::transmute::<rusqlite::Rows<'_>, rusqlite::Rows<'static>>(rows) };
        Ok(Cursor {
            rows,
            _statement: statement,
            columns,
        })
    }

    fn next(&mut self) -> Result<Option<LiteRow>, DriverError> {
        let Some(row) = self.rows.next().map_err(super::error::driver_error)? else {
            return Ok(None);
        };
        let mut values = Vec::with_capacity(self.columns);
        for index in 0..self.columns {
            values.push(super::conn::owned(
                row.get_ref(index).map_err(super::error::driver_error)?,
            ));
        }
        Ok(Some(LiteRow::new(values)))
    }
}
