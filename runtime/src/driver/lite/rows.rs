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

/// `Backend::fetch`: the statement runs at the first poll and its rows are
/// collected, then handed out one by one. A row cannot be stepped lazily
/// across polls: rusqlite's cursor borrows the statement, which borrows
/// the connection, and the stream would have to own all three.
pub(super) struct RowStream<'c> {
    state: State<'c>,
}

enum State<'c> {
    Start {
        conn: &'c mut LiteConn,
        sql: SqlText,
        args: LiteArgs,
    },
    Rows(std::vec::IntoIter<LiteRow>),
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
        match std::mem::replace(&mut this.state, State::Done) {
            State::Start { conn, sql, args } => match conn.query(sql.as_str(), &args, None) {
                Ok(rows) => {
                    let mut rows = rows.into_iter();
                    let first = rows.next();
                    if first.is_some() {
                        this.state = State::Rows(rows);
                    }
                    Poll::Ready(first.map(Ok))
                }
                Err(error) => Poll::Ready(Some(Err(error))),
            },
            State::Rows(mut rows) => {
                let next = rows.next();
                if next.is_some() {
                    this.state = State::Rows(rows);
                }
                Poll::Ready(next.map(Ok))
            }
            State::Done => Poll::Ready(None),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.state {
            State::Start { .. } => (0, None),
            State::Rows(rows) => rows.size_hint(),
            State::Done => (0, Some(0)),
        }
    }
}
