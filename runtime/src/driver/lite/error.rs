//! rusqlite's errors as the `sqlx::Error` every driver reports
//! ([`DriverError`]), so entable's classification reads them unchanged.

use std::borrow::Cow;
use std::fmt;

use rusqlite::ffi;
use sqlx::error::{DatabaseError, ErrorKind};

use crate::driver::DriverError;

/// An error SQLite reported for a statement, as sqlx's
/// [`DatabaseError`]: the message, the extended result code (as decimal
/// text, the way sqlx-sqlite reports it) and the kind of constraint broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiteError {
    code: i32,
    message: String,
}

impl LiteError {
    /// An error with SQLite's extended result `code` and `message`.
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        LiteError {
            code,
            message: message.into(),
        }
    }

    /// SQLite's extended result code (`SQLITE_CONSTRAINT_UNIQUE` is 2067).
    pub fn extended_code(&self) -> i32 {
        self.code
    }

    /// Whether another connection held a lock (`SQLITE_BUSY`,
    /// `SQLITE_LOCKED` and their extended codes): retrying may succeed.
    pub fn is_busy(&self) -> bool {
        matches!(self.code & 0xff, ffi::SQLITE_BUSY | ffi::SQLITE_LOCKED)
    }
}

impl fmt::Display for LiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LiteError {}

impl DatabaseError for LiteError {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        // The same text sqlx-sqlite gives: code matching stays one rule.
        Some(Cow::Owned(self.code.to_string()))
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> ErrorKind {
        // As sqlx-sqlite classifies: by extended code. A foreign key
        // `RESTRICT` fails with SQLITE_CONSTRAINT_TRIGGER; the dialect's
        // rules recognise it by its message, for both drivers.
        match self.code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                ErrorKind::UniqueViolation
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => ErrorKind::ForeignKeyViolation,
            ffi::SQLITE_CONSTRAINT_NOTNULL => ErrorKind::NotNullViolation,
            ffi::SQLITE_CONSTRAINT_CHECK => ErrorKind::CheckViolation,
            _ => ErrorKind::Other,
        }
    }
}

/// A rusqlite error as a driver error: what SQLite refused is
/// `Database` (with a [`LiteError`]), a value that does not convert is
/// `ColumnDecode`, a missing row `RowNotFound`; the rest (a misused API:
/// several statements in one, a wrong parameter) is `InvalidArgument`, not
/// `Protocol`, which entable reads as a lost connection.
pub(super) fn driver_error(error: rusqlite::Error) -> DriverError {
    use rusqlite::Error as E;
    match error {
        E::SqliteFailure(failure, message) => {
            let message = message.unwrap_or_else(|| failure.to_string());
            DriverError::Database(Box::new(LiteError::new(failure.extended_code, message)))
        }
        // A statement SQLite could not prepare, with the offending token's
        // offset (which sqlx does not report).
        E::SqlInputError { error, msg, .. } => {
            DriverError::Database(Box::new(LiteError::new(error.extended_code, msg)))
        }
        E::QueryReturnedNoRows => DriverError::RowNotFound,
        E::InvalidColumnIndex(index) => DriverError::ColumnIndexOutOfBounds { index, len: 0 },
        E::FromSqlConversionFailure(index, _, source) => column_decode(index, source),
        E::IntegralValueOutOfRange(index, value) => {
            column_decode(index, format!("{value} is out of range").into())
        }
        E::Utf8Error(index, source) => column_decode(index, Box::new(source)),
        E::InvalidColumnType(index, name, ty) => column_decode(
            index,
            format!("column {name} holds {ty}, which does not convert").into(),
        ),
        E::ToSqlConversionFailure(source) => DriverError::Encode(source),
        other => DriverError::InvalidArgument(other.to_string()),
    }
}

/// Column `index` did not decode.
pub(super) fn column_decode(index: usize, source: sqlx::error::BoxDynError) -> DriverError {
    DriverError::ColumnDecode {
        index: format!("{index:?}"),
        source,
    }
}
