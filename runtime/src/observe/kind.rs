//! Errors as short, bounded names: OpenTelemetry's `error.type`, the
//! `outcome` label of the metrics.

use crate::error::Error;

impl Error {
    /// A short name of this kind of error (`not_found`,
    /// `unique_violation`, `timeout`, …): what spans record as
    /// `error.type` and metrics as their `outcome` label.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::NotFound { .. } => "not_found",
            Error::UniqueViolation { .. } => "unique_violation",
            Error::ForeignKeyViolation { .. } => "foreign_key_violation",
            Error::NotNullViolation { .. } => "not_null_violation",
            Error::CheckViolation { .. } => "check_violation",
            Error::Validation { .. } => "validation",
            Error::InvalidRow { .. } => "invalid_row",
            Error::PartiallyCommitted { .. } => "partially_committed",
            Error::Conflict { .. } => "conflict",
            Error::Usage { .. } => "usage",
            Error::Rejected { .. } => "rejected",
            Error::InvalidValue { .. } => "invalid_value",
            Error::Query(_) => "query",
            Error::Schema(_) => "schema",
            Error::UnsupportedUrl { .. } => "unsupported_url",
            Error::Statement { source, .. } | Error::Database { source, .. } => driver_kind(source),
            Error::Timeout { .. } => "timeout",
            Error::TxAborted { .. } => "tx_aborted",
            Error::CommitUnknown { .. } => "commit_unknown",
            Error::RollbackFailed { .. } => "rollback_failed",
            Error::NPlusOne { .. } => "n_plus_one",
        }
    }
}

/// The kind of a driver's error.
pub(crate) fn driver_kind(error: &sqlx::Error) -> &'static str {
    use sqlx::error::ErrorKind;
    match error {
        sqlx::Error::Database(db) => match db.kind() {
            ErrorKind::UniqueViolation => "unique_violation",
            ErrorKind::ForeignKeyViolation => "foreign_key_violation",
            ErrorKind::NotNullViolation => "not_null_violation",
            ErrorKind::CheckViolation => "check_violation",
            _ if crate::error::connection_lost(error) => "connection_lost",
            _ => "database",
        },
        sqlx::Error::RowNotFound => "row_not_found",
        sqlx::Error::PoolTimedOut => "pool_timeout",
        sqlx::Error::PoolClosed => "pool_closed",
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => "io",
        sqlx::Error::Protocol(_) => "protocol",
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => "decode",
        sqlx::Error::Encode(_) => "encode",
        _ => "driver",
    }
}
