//! The error type of entable's run-time operations.

use crate::schema::SchemaError;

/// Which entity and operation an error belongs to; printed first in every
/// message (`User::create: …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Context {
    /// The entity's Rust name (empty outside repository calls).
    pub entity: &'static str,
    /// The operation: `create`, `get`, `update`, `delete`, `search`, …
    pub operation: &'static str,
}

impl std::fmt::Display for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.entity.is_empty() {
            write!(f, "{}::{}: ", self.entity, self.operation)?;
        }
        Ok(())
    }
}

/// What can go wrong at run time.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The row asked for does not exist.
    #[error("{context}no row with key {key}")]
    NotFound {
        /// Where.
        context: Context,
        /// The key, formatted.
        key: String,
    },
    /// A unique constraint (or primary key) refused the change.
    #[error("{context}unique constraint {} violated", constraint.as_deref().unwrap_or("(unnamed)"))]
    UniqueViolation {
        /// Where.
        context: Context,
        /// The constraint's name, where the database tells it.
        constraint: Option<String>,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// A foreign key refused the change: the referenced row is missing, or
    /// rows still refer to the one being removed.
    #[error("{context}foreign key {} violated", constraint.as_deref().unwrap_or("(unnamed)"))]
    ForeignKeyViolation {
        /// Where.
        context: Context,
        /// The constraint's name, where the database tells it.
        constraint: Option<String>,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// A NOT NULL column was given no value.
    #[error("{context}column {} must not be NULL", column.as_deref().unwrap_or("(unknown)"))]
    NotNullViolation {
        /// Where.
        context: Context,
        /// The column, where the database tells it.
        column: Option<String>,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// A CHECK constraint refused the change.
    #[error("{context}check constraint {} violated", constraint.as_deref().unwrap_or("(unnamed)"))]
    CheckViolation {
        /// Where.
        context: Context,
        /// The constraint's name, where the database tells it.
        constraint: Option<String>,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// The input failed validation; nothing was sent to the database.
    #[error("{context}validation failed: {errors}")]
    Validation {
        /// Where.
        context: Context,
        /// Field → errors.
        errors: validator::ValidationErrors,
    },
    /// Row `row` (0-based) of a bulk call failed validation; nothing was
    /// sent to the database.
    #[error("{context}row {row}: validation failed: {errors}")]
    InvalidRow {
        /// Where.
        context: Context,
        /// The row's index in the input.
        row: usize,
        /// Field → errors.
        errors: validator::ValidationErrors,
    },
    /// A bulk call in batch-commit mode failed after committing
    /// `committed` rows (the first `committed` rows of the input); the
    /// batch that failed was rolled back.
    #[error("{context}{committed} rows committed before: {source}")]
    PartiallyCommitted {
        /// Where.
        context: Context,
        /// Rows committed, from the start of the input.
        committed: u64,
        /// Why the next batch failed.
        #[source]
        source: Box<Error>,
    },
    /// The row changed or vanished between read and write.
    #[error("{context}conflict on key {key}")]
    Conflict {
        /// Where.
        context: Context,
        /// The key, formatted.
        key: String,
    },
    /// The call cannot work as written (e.g. an upsert target that is no
    /// unique key); nothing was sent to the database.
    #[error("{context}{reason}")]
    Usage {
        /// Where.
        context: Context,
        /// What is wrong.
        reason: String,
    },
    /// A [`Hooks`](crate::Hooks) method refused the change (made with
    /// [`Error::rejected`]); the change was not written.
    #[error("{context}rejected: {reason}")]
    Rejected {
        /// Where (filled in by the operation the hook ran in).
        context: Context,
        /// Why, as the hook said.
        reason: String,
    },
    /// A value no column of its type can hold exactly (NaN or infinity, a
    /// NUL character in text, a date outside the column type's range, an
    /// audit context value longer than its column); refused before any
    /// SQL was sent. See `docs/reliability.md`.
    #[error("{context}invalid value{}: {reason}", column.as_deref().map(|c| format!(" for column {c}")).unwrap_or_default())]
    InvalidValue {
        /// Where.
        context: Context,
        /// The column, where known.
        column: Option<String>,
        /// What is wrong with the value.
        reason: String,
    },
    /// A search query string could not be parsed; the error names the key.
    #[error(transparent)]
    Query(#[from] crate::dto::QueryError),
    /// The tables do not form a valid schema.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// The connection URL names no backend this build supports.
    #[error("unsupported database URL `{url}`: {reason}")]
    UnsupportedUrl {
        /// The URL, with any password removed.
        url: String,
        /// Why it is not supported.
        reason: String,
    },
    /// A DDL statement failed; `context` names it (never values).
    #[error("{context} failed: {source}")]
    Statement {
        /// What entable was doing, with the statement's first line.
        context: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// A statement or commit waited longer than the configured timeout
    /// ([`PoolConfig::statement_timeout`](crate::PoolConfig::statement_timeout)).
    /// The connection was closed, never reused; inside a transaction, the
    /// transaction can no longer commit. Outside one, a write that timed
    /// out may or may not have been applied.
    #[error("{context}no answer from the database within {after:?}")]
    Timeout {
        /// Where.
        context: Context,
        /// The limit that ran out.
        after: std::time::Duration,
    },
    /// The transaction (or savepoint) cannot commit: an earlier statement
    /// in it failed (the database may have aborted it, as PostgreSQL
    /// does), a rollback inside it failed, or its connection was lost.
    /// Nothing of it was or will be committed. To handle an expected error
    /// and go on, run the call in a savepoint ([`Tx::begin`](crate::Tx::begin),
    /// [`Tx::transaction`](crate::Tx::transaction)).
    #[error("the transaction was aborted and cannot commit: {reason}")]
    TxAborted {
        /// The first failure, as it was reported.
        reason: String,
    },
    /// `COMMIT` was sent but its answer was lost (connection cut, timeout):
    /// the transaction may or may not have been committed. On PostgreSQL
    /// entable asks the server on a fresh connection first and reports
    /// this only when the server cannot tell. Never retried blindly.
    #[error("the outcome of COMMIT is unknown: {reason}")]
    CommitUnknown {
        /// What went wrong while committing.
        reason: String,
    },
    /// Undoing a failed change (rolling back to its savepoint) failed too:
    /// the connection is broken, and an enclosing transaction cannot
    /// commit.
    #[error("{context}rollback failed ({source}) after: {cause}")]
    RollbackFailed {
        /// Where.
        context: Context,
        /// The rollback's error.
        #[source]
        source: sqlx::Error,
        /// The error that made the rollback necessary.
        cause: Box<Error>,
    },
    /// A read was sent once per call by as many repository calls as the
    /// strict N+1 check allows ([`NPlusOne::strict`](crate::observe::NPlusOne::strict)),
    /// in a watched block: this call's statement was not sent. Load the
    /// rows at once (`get_many`, an eager load with `.with(…)`).
    #[error(
        "{context}N+1: the same read (shape {shape}) was sent by {calls} calls{}; load the rows at once with get_many or .with(…)",
        caller.map(|c| format!(", the last at {c}")).unwrap_or_default()
    )]
    NPlusOne {
        /// Where.
        context: Context,
        /// The statement's shape.
        shape: crate::observe::ShapeId,
        /// Calls that sent it, this one included.
        calls: u32,
        /// The application's call that reached the threshold.
        caller: Option<&'static std::panic::Location<'static>>,
    },
    /// Any other database error.
    #[error("{context}{source}")]
    Database {
        /// Where (empty outside repository calls).
        context: Context,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
}

impl Error {
    /// The error a hook returns to refuse a change.
    pub fn rejected(reason: impl Into<String>) -> Error {
        Error::Rejected {
            context: Context::default(),
            reason: reason.into(),
        }
    }

    /// A hook's error, with `context` when the hook gave none.
    pub(crate) fn in_hook(self, context: Context) -> Error {
        match self {
            Error::Rejected {
                context: given,
                reason,
            } if given.operation.is_empty() => Error::Rejected { context, reason },
            other => other,
        }
    }

    /// This error as reported by the operation of `context` (a bulk call
    /// runs single-row operations and reports under its own name);
    /// errors of other entities keep their context.
    pub(crate) fn in_operation(mut self, context: Context) -> Error {
        match &mut self {
            Error::NotFound { context: c, .. }
            | Error::UniqueViolation { context: c, .. }
            | Error::ForeignKeyViolation { context: c, .. }
            | Error::NotNullViolation { context: c, .. }
            | Error::CheckViolation { context: c, .. }
            | Error::Validation { context: c, .. }
            | Error::InvalidRow { context: c, .. }
            | Error::Conflict { context: c, .. }
            | Error::Usage { context: c, .. }
            | Error::Rejected { context: c, .. }
            | Error::InvalidValue { context: c, .. }
            | Error::Database { context: c, .. }
                if c.entity == context.entity || c.entity.is_empty() =>
            {
                *c = context;
            }
            _ => {}
        }
        self
    }

    /// The driver's error inside, if any.
    pub fn driver_error(&self) -> Option<&sqlx::Error> {
        match self {
            Error::UniqueViolation { source, .. }
            | Error::ForeignKeyViolation { source, .. }
            | Error::NotNullViolation { source, .. }
            | Error::CheckViolation { source, .. }
            | Error::Statement { source, .. }
            | Error::RollbackFailed { source, .. }
            | Error::Database { source, .. } => Some(source),
            _ => None,
        }
    }

    /// Whether this error, raised inside a transaction, leaves it unable
    /// to commit: any statement that reached the database and failed, a
    /// timeout, a lost connection. Errors found before any SQL was sent
    /// (validation, usage, a hook's refusal) and outcomes of statements
    /// that succeeded (not found, a version conflict) do not.
    pub(crate) fn fails_transaction(&self) -> bool {
        self.driver_error().is_some()
            || matches!(
                self,
                Error::Timeout { .. } | Error::TxAborted { .. } | Error::CommitUnknown { .. }
            )
            || matches!(self, Error::PartiallyCommitted { source, .. } if source.fails_transaction())
    }

    /// Whether the connection this error came from must not be used again:
    /// a timeout (its state is unknown) or a connection-level failure.
    pub(crate) fn breaks_connection(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::RollbackFailed { .. } => true,
            _ => self.driver_error().is_some_and(connection_lost),
        }
    }

    /// Whether running the whole transaction again may succeed: a
    /// serialization failure or deadlock (SQLSTATE 40001 / 40P01 on
    /// PostgreSQL, 40001 and lock wait timeout 1205 on MySQL/MariaDB), or a
    /// busy or locked database on SQLite. [`Db::run_tx`](crate::Db::run_tx)
    /// retries exactly these.
    ///
    /// Also retryable: a [`Timeout`](Error::Timeout) and a lost connection
    /// (an I/O error, a session killed by the server: SQLSTATE class 08,
    /// 57P01–57P03): inside a transaction they mean nothing was committed.
    /// And no connection free within the pool's `acquire_timeout`: nothing
    /// was sent.
    /// Never retryable: [`CommitUnknown`](Error::CommitUnknown), where the
    /// work may have been committed.
    pub fn is_retryable(&self) -> bool {
        if matches!(self, Error::Timeout { .. }) {
            return true;
        }
        if matches!(self, Error::CommitUnknown { .. }) {
            return false;
        }
        let Some(driver) = self.driver_error() else {
            return false;
        };
        // No connection came free in time: nothing was sent.
        if connection_lost(driver) || matches!(driver, sqlx::Error::PoolTimedOut) {
            return true;
        }
        let Some(db) = driver.as_database_error() else {
            return false;
        };
        let code = db.code();
        match code.as_deref() {
            Some("40001" | "40P01") => true,
            #[cfg(feature = "mysql")]
            Some("HY000") => db
                .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
                .is_some_and(|e| e.number() == 1205),
            // SQLite reports its extended result code: BUSY (5) and LOCKED
            // (6) with their variants in the upper bits.
            #[cfg(feature = "sqlx-sqlite")]
            Some(other) if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() => other
                .parse::<u32>()
                .is_ok_and(|c| matches!(c & 0xff, 5 | 6)),
            // The same codes from the rusqlite driver.
            #[cfg(feature = "rusqlite")]
            Some(_) => db
                .try_downcast_ref::<crate::driver::lite::LiteError>()
                .is_some_and(crate::driver::lite::LiteError::is_busy),
            _ => false,
        }
    }
}

/// Whether `error` says the connection itself is gone or unusable (as
/// opposed to a statement the server refused).
pub(crate) fn connection_lost(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // PostgreSQL: connection exceptions, and the session ended by
            // the server (terminated, crash shutdown, cannot connect now).
            // Only PostgreSQL uses these five-character classes for that;
            // MySQL's SQLSTATE 08S01 is the same class.
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

impl From<sqlx::Error> for Error {
    fn from(source: sqlx::Error) -> Self {
        Error::Database {
            context: Context::default(),
            source,
        }
    }
}

impl Error {
    /// Classifies a driver error from an operation on `table`: constraint
    /// violations become their typed variants, with the constraint or column
    /// name the backend reports (or, where it reports only columns, the name
    /// entable gave the matching constraint).
    pub(crate) fn from_driver(
        source: sqlx::Error,
        context: Context,
        table: &crate::meta::TableMeta,
        dialect: crate::backend::Dialect,
    ) -> Error {
        Error::classify(source, context, Some(table), dialect)
    }

    /// [`from_driver`](Self::from_driver) for a statement on no known
    /// table (hand-written SQL): a violated constraint is named only where
    /// the backend names it.
    pub(crate) fn from_statement(
        source: sqlx::Error,
        context: Context,
        dialect: crate::backend::Dialect,
    ) -> Error {
        Error::classify(source, context, None, dialect)
    }

    fn classify(
        source: sqlx::Error,
        context: Context,
        table: Option<&crate::meta::TableMeta>,
        dialect: crate::backend::Dialect,
    ) -> Error {
        use sqlx::error::ErrorKind;
        let Some(db) = source.as_database_error() else {
            return Error::Database { context, source };
        };
        let message = db.message().to_owned();
        let named = db.constraint().map(str::to_owned);
        let rules = dialect.rules();
        // Inserting or updating a row can break only the row's own foreign
        // keys; deleting one breaks another table's.
        let writes_row = !context.operation.contains("delete");
        match rules.error_kind(db.kind(), &message) {
            ErrorKind::UniqueViolation => {
                let constraint = named.or_else(|| {
                    table.and_then(|table| rules.violated_constraint(&message, table, writes_row))
                });
                Error::UniqueViolation {
                    context,
                    constraint,
                    source,
                }
            }
            ErrorKind::ForeignKeyViolation => {
                let constraint = named.or_else(|| {
                    table.and_then(|table| rules.violated_constraint(&message, table, writes_row))
                });
                Error::ForeignKeyViolation {
                    context,
                    constraint,
                    source,
                }
            }
            ErrorKind::NotNullViolation => {
                let column = rules
                    .null_column(&message)
                    .or_else(|| postgres_column(&source));
                Error::NotNullViolation {
                    context,
                    column,
                    source,
                }
            }
            ErrorKind::CheckViolation => {
                let constraint = named.or_else(|| {
                    table.and_then(|table| rules.violated_constraint(&message, table, writes_row))
                });
                Error::CheckViolation {
                    context,
                    constraint,
                    source,
                }
            }
            _ => Error::Database { context, source },
        }
    }
}

#[cfg(feature = "postgres")]
fn postgres_column(source: &sqlx::Error) -> Option<String> {
    let db = source.as_database_error()?;
    db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()?
        .column()
        .map(str::to_owned)
}

#[cfg(not(feature = "postgres"))]
fn postgres_column(_: &sqlx::Error) -> Option<String> {
    None
}

/// `Result<T, entable::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `url` with the password part of its authority replaced by `***`.
pub(crate) fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// The error of a value that could not be bound: refused before any SQL
/// ([`Error::Query`], [`Error::InvalidValue`]) or by the driver's encoder.
pub(crate) fn bind_error(context: Context, error: sqlx::error::BoxDynError) -> Error {
    // A value refused before any SQL (NUL, NaN, a long pattern).
    let error = match error.downcast::<crate::dto::QueryError>() {
        Ok(refused) => return Error::Query(*refused),
        Err(error) => error,
    };
    match error.downcast::<crate::backend::values::InvalidValue>() {
        Ok(invalid) => Error::InvalidValue {
            context,
            column: invalid.column.map(str::to_owned),
            reason: invalid.reason,
        },
        Err(error) => Error::Database {
            context,
            source: sqlx::Error::Encode(error),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("mysql://root@h/db"), "mysql://root@h/db");
        assert_eq!(redact_url("sqlite::memory:"), "sqlite::memory:");
    }
}
