//! [`QueryError`]: why a query string, a Search or a filter value is
//! refused, and which rule or limit refused it.

use std::fmt;

/// What kind of input a [`QueryError`] refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QueryErrorKind {
    /// A key, operator or value that does not fit the type (the common case).
    Invalid,
    /// The query string is longer than [`MAX_QUERY_LEN`](crate::dto::MAX_QUERY_LEN).
    TooLong,
    /// The query string has more than
    /// [`MAX_QUERY_PAIRS`](crate::dto::MAX_QUERY_PAIRS) pairs.
    TooManyPairs,
    /// A key nests too deep, or Search groups nest deeper than
    /// [`MAX_SEARCH_DEPTH`](crate::dto::MAX_SEARCH_DEPTH).
    TooDeep,
    /// A search holds more than
    /// [`MAX_SEARCH_CONDITIONS`](crate::dto::MAX_SEARCH_CONDITIONS) conditions.
    TooManyConditions,
    /// A text filter value contains NUL (U+0000), which no backend stores
    /// alike.
    NulInText,
    /// A text pattern is longer than
    /// [`MAX_PATTERN_CHARS`](crate::dto::MAX_PATTERN_CHARS).
    PatternTooLong,
    /// A number is NaN or infinite.
    NonFinite,
}

/// Why a query string (or a Search, or a filter value) does not fit the
/// type asked for; [`kind`](QueryError::kind) says which limit or rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub(crate) kind: QueryErrorKind,
    pub(crate) key: String,
    pub(crate) message: String,
}

impl QueryError {
    pub(crate) fn new(kind: QueryErrorKind, key: &str, message: impl fmt::Display) -> Self {
        QueryError {
            kind,
            key: key.to_owned(),
            message: message.to_string(),
        }
    }

    /// What kind of input is refused.
    pub fn kind(&self) -> QueryErrorKind {
        self.kind
    }

    /// The key (dotted path) at fault; empty when the query as a whole is.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn at(key: &str, message: impl fmt::Display) -> Self {
        QueryError::new(QueryErrorKind::Invalid, key, message)
    }

    pub(crate) fn in_key(mut self, key: &str) -> Self {
        if self.key.is_empty() {
            self.key = key.to_owned();
        }
        self
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "invalid query: {}", self.message)
        } else {
            write!(
                f,
                "invalid query parameter `{}`: {}",
                self.key, self.message
            )
        }
    }
}

impl std::error::Error for QueryError {}
