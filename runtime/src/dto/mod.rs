//! The building blocks of generated DTOs: partial updates ([`Patch`]),
//! typed filters ([`Filter`]), typed sort orders ([`Sort`]), pages
//! ([`Page`]), the query-string format ([`from_query_str`]) and JSON bodies
//! read with errors that name the field ([`from_json`], [`DtoError`]).
//!
//! # Entry points for handlers
//!
//! A JSON body: [`from_json`] (text), [`from_json_slice`] (bytes) or
//! [`from_json_value`] (a parsed value); the [`DtoError`] names the field
//! and the path at fault for a `null` in a non-nullable field, a value of
//! the wrong type, an unknown or a missing key. A query string: a generated
//! Search's `from_query_str` (or [`from_query_str`]); the [`QueryError`]'s
//! [`key`](QueryError::key) is the dotted key at fault.
//!
//! # Query strings
//!
//! The format, in full:
//!
//! - `key=value` pairs separated by `&`; `+` and `%XX` are decoded;
//! - a dotted key nests: `age.gte=18` is `{"age": {"gte": "18"}}`;
//! - a field given without operator means `eq`: `status=open` is
//!   `status.eq=open`;
//! - lists are comma-separated or repeated: `role.in=admin,member` equals
//!   `role.in=admin&role.in=member`; a comma inside one value is written
//!   `%2C`; `between` takes two: `age.between=18,65`;
//! - values are parsed by the type they fill: numbers, booleans (`true`,
//!   `false`), UUIDs, dates (`2026-01-31`), timestamps (RFC 3339);
//! - `sort=-created_at,name`, `page=2`, `page_size=50`;
//! - an empty value (`page=`, as HTML forms send) is the same as no value.
//!
//! A key that the target does not have, or a value that does not parse, is
//! an error naming the key.
//!
//! # Limits
//!
//! Input is bounded, each bound refused with its own [`QueryErrorKind`]
//! before any SQL is sent: a query string of at most [`MAX_QUERY_LEN`] bytes
//! and [`MAX_QUERY_PAIRS`] pairs; Search groups nested at most
//! [`MAX_SEARCH_DEPTH`] deep (checked by the type's `Deserialize`, for every
//! format); at most [`MAX_SEARCH_CONDITIONS`] conditions in one search; text
//! patterns of at most [`MAX_PATTERN_CHARS`] characters; no NUL in text
//! values; no NaN or infinite numbers; `between` with exactly two values.
//!
//! ```
//! use entable::dto::{Filter, from_query_str, kind};
//!
//! #[derive(serde::Deserialize, Debug)]
//! #[serde(deny_unknown_fields)]
//! struct Search {
//!     age: Option<Filter<i32, kind::Ord>>,
//!     name: Option<Filter<String, kind::Text>>,
//!     page: Option<u32>,
//! }
//!
//! let s: Search = from_query_str("?age.gte=18&age.lt=65&name.contains=50%25_off&page=2").unwrap();
//! assert_eq!(s.age.unwrap().conditions().len(), 2);
//! assert_eq!(s.page, Some(2));
//!
//! let error = from_query_str::<Search>("age.gte=old").unwrap_err();
//! assert_eq!(error.key(), "age.gte");
//! let error = from_query_str::<Search>("agee.gte=1").unwrap_err();
//! assert!(error.to_string().contains("agee"));
//! ```

mod error;
mod filter;
mod json;
mod like;
mod limits;
mod page;
mod patch;
mod query;
mod sort;

pub use error::{QueryError, QueryErrorKind};
pub use filter::{Condition, Filter, FilterKind, Filterable, Op, kind};
pub use json::{DtoError, from_json, from_json_slice, from_json_value};
pub use like::{LIKE_ESCAPE, LikeKind, like_pattern};
pub use limits::{
    MAX_PATTERN_CHARS, MAX_QUERY_LEN, MAX_QUERY_PAIRS, MAX_SEARCH_CONDITIONS, MAX_SEARCH_DEPTH,
    nested_groups,
};
pub(crate) use limits::{pattern_problem, to_error};
pub use page::{Page, PageRequest};
pub use patch::Patch;
pub use query::from_query_str;
pub use sort::{Sort, SortKey, SortList};
