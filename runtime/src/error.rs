//! The error type of entable's run-time operations.

use crate::schema::SchemaError;

/// What can go wrong at run time.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
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
    /// A statement failed; `statement` is the SQL text (never values).
    #[error("{context} failed: {source}")]
    Statement {
        /// What entable was doing, with the statement's first line.
        context: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// Any other database error.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
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
