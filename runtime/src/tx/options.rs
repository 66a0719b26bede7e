//! How a transaction begins: isolation level per dialect.

use crate::backend::Dialect;

/// Options for [`Db::begin_with`](crate::Db::begin_with),
/// [`Db::transaction_with`](crate::Db::transaction_with) and
/// [`Db::run_tx`](crate::Db::run_tx).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxOptions {
    /// The isolation level; `None` keeps the server's default (PostgreSQL:
    /// read committed; MySQL/MariaDB: repeatable read).
    pub isolation: Option<Isolation>,
}

impl TxOptions {
    /// Options with this isolation level.
    pub fn isolation(isolation: Isolation) -> Self {
        TxOptions {
            isolation: Some(isolation),
        }
    }
}

/// SQL isolation levels.
///
/// PostgreSQL begins with `BEGIN ISOLATION LEVEL …`; MySQL/MariaDB runs
/// `SET TRANSACTION ISOLATION LEVEL …` (which applies to the next
/// transaction only) before `START TRANSACTION`. SQLite transactions are
/// always serializable, more than any level asks; `Serializable` there
/// begins with `BEGIN IMMEDIATE`, taking the write lock at once so that two
/// writers wait for each other instead of one failing with `SQLITE_BUSY`
/// halfway through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Isolation {
    /// Dirty reads allowed (PostgreSQL treats it as read committed).
    ReadUncommitted,
    /// Each statement sees what was committed before it began.
    ReadCommitted,
    /// The transaction sees one snapshot throughout.
    RepeatableRead,
    /// As if transactions ran one after another; conflicting ones fail
    /// with a serialization error (retried by [`Db::run_tx`](crate::Db::run_tx)).
    Serializable,
}

impl Isolation {
    fn sql(self) -> &'static str {
        match self {
            Isolation::ReadUncommitted => "READ UNCOMMITTED",
            Isolation::ReadCommitted => "READ COMMITTED",
            Isolation::RepeatableRead => "REPEATABLE READ",
            Isolation::Serializable => "SERIALIZABLE",
        }
    }
}

impl TxOptions {
    /// The statements that begin a transaction with these options on
    /// `dialect`: one to run before (MySQL sets the next transaction's
    /// isolation), and the one that replaces the plain `BEGIN`.
    pub(super) fn begin_sql(self, dialect: Dialect) -> (Option<String>, Option<String>) {
        let Some(level) = self.isolation else {
            return (None, None);
        };
        match dialect {
            Dialect::Postgres => (None, Some(format!("BEGIN ISOLATION LEVEL {}", level.sql()))),
            Dialect::MySql => (
                Some(format!("SET TRANSACTION ISOLATION LEVEL {}", level.sql())),
                None,
            ),
            Dialect::Sqlite => match level {
                Isolation::Serializable => (None, Some("BEGIN IMMEDIATE".to_owned())),
                _ => (None, None),
            },
        }
    }
}
