//! What is kept of one statement: [`Statement`], and the [`Log`] of a
//! watched block.

use std::panic::Location;
use std::sync::Arc;
use std::time::Duration;

use super::shape::{self, ShapeId};

/// One statement entable sent, as the statement observer
/// ([`observe`](super::observe)) reports it. Bound values are never kept.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Statement {
    /// The SQL text (`BEGIN`, `COMMIT`, `SAVEPOINT` … for transaction
    /// control).
    pub text: Arc<str>,
    /// The id of the text's shape.
    pub shape: ShapeId,
    /// `postgresql`, `mysql` or `sqlite` (OpenTelemetry's
    /// `db.system.name`).
    pub system: &'static str,
    /// The entity of the repository call that sent it (`""` outside one:
    /// transaction control, hand-written SQL on a `Db`).
    pub entity: &'static str,
    /// The repository call: `get`, `search`, `bulk_insert`, …
    pub call: &'static str,
    /// How long the database took, from sending to the last row read.
    pub duration: Duration,
    /// Rows returned (reads) or affected (writes); `None` when the
    /// statement failed or the driver does not say (scripts).
    pub rows: Option<u64>,
    /// Transaction control: `BEGIN`, `COMMIT`, `ROLLBACK`, savepoints.
    pub control: bool,
    /// The kind of error it failed with (OpenTelemetry's `error.type`):
    /// `unique_violation`, `timeout`, `io`, …; `None` when it succeeded.
    pub error: Option<&'static str>,
    /// Where the application made the repository call (`#[track_caller]`),
    /// when the statement belongs to one.
    pub caller: Option<&'static Location<'static>>,
}

impl Statement {
    /// The verb: `SELECT`, `INSERT`, … (see [`shape::verb`]).
    pub fn verb(&self) -> &'static str {
        shape::verb(&self.text)
    }

    /// The table the statement names first (see [`shape::table`]).
    pub fn table(&self) -> Option<&str> {
        shape::table(&self.text)
    }
}

/// The statements a watched block sent, in the order they were sent.
#[derive(Debug, Clone, Default)]
pub struct Log {
    pub(crate) statements: Vec<Statement>,
}

impl Log {
    /// Every statement, transaction control included.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// The statements that did work: transaction control left out.
    pub fn work(&self) -> impl Iterator<Item = &Statement> {
        self.statements.iter().filter(|s| !s.control)
    }

    /// How many statements did work (transaction control not counted).
    pub fn count(&self) -> usize {
        self.work().count()
    }

    /// How many transaction-control statements were sent.
    pub fn control_count(&self) -> usize {
        self.statements.iter().filter(|s| s.control).count()
    }

    /// The texts of every statement, control included, in order.
    pub fn texts(&self) -> Vec<&str> {
        self.statements.iter().map(|s| &*s.text).collect()
    }

    /// The time the database took, summed over every statement.
    pub fn total_duration(&self) -> Duration {
        self.statements.iter().map(|s| s.duration).sum()
    }

    /// Whether no statement was sent.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }
}

impl<'a> IntoIterator for &'a Log {
    type Item = &'a Statement;
    type IntoIter = std::slice::Iter<'a, Statement>;
    fn into_iter(self) -> Self::IntoIter {
        self.statements.iter()
    }
}
