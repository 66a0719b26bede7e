//! Deserialising DTOs from JSON with errors that name the field at fault:
//! [`from_json`], [`from_json_slice`], [`from_json_value`] and their
//! [`DtoError`].

use std::fmt;

use serde::de::DeserializeOwned;
use serde_path_to_error::{Path, Segment};

use super::error::QueryErrorKind;
use super::limits;

/// Why a JSON body does not fit the DTO asked for, with the field at fault.
///
/// `serde_json` names the field of an unknown key, but not the one whose
/// value is `null` or of the wrong type (`"invalid type: null, expected a
/// string at line 1 column 12"`); this error always does, through
/// [`field`](DtoError::field) and [`path`](DtoError::path), so a handler can
/// answer with the field to fix.
///
/// ```
/// use entable::dto::{Filter, from_json, kind};
///
/// #[derive(serde::Deserialize, Debug)]
/// #[serde(deny_unknown_fields)]
/// struct Search {
///     age: Option<Filter<i32, kind::Ord>>,
///     #[serde(default)]
///     any_of: Vec<Search>,
/// }
///
/// let error = from_json::<Search>(r#"{"any_of": [{}, {"age": {"gte": "x"}}]}"#).unwrap_err();
/// assert_eq!(error.path(), "any_of[1].age.gte");
/// assert_eq!(error.field(), "any_of");
/// assert!(error.to_string().starts_with("invalid field `any_of[1].age.gte`: invalid type"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DtoError {
    kind: QueryErrorKind,
    path: String,
    field: String,
    message: String,
    line: usize,
    column: usize,
}

impl DtoError {
    /// What kind of input is refused: [`QueryErrorKind::Invalid`] for a
    /// malformed body, an unknown key or a value of the wrong type; a
    /// limit's own kind (say [`QueryErrorKind::TooDeep`]) for a Search
    /// beyond the [limits](crate::dto#limits).
    pub fn kind(&self) -> QueryErrorKind {
        self.kind
    }

    /// The top-level field at fault (`"age"`, or `"any_of"` for an error
    /// inside a group; an unknown or missing key is named too); empty when
    /// the body as a whole is (not JSON, not an object, trailing input).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The full path to the value at fault, dotted with list indexes:
    /// `age.gte`, `any_of[1].age.gte`; empty like [`field`](Self::field).
    /// An unknown key's path ends in the key itself.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The 1-based line and column of the error in the JSON text; `(0, 0)`
    /// for [`from_json_value`], which has no text.
    pub fn position(&self) -> (usize, usize) {
        (self.line, self.column)
    }

    fn new(error_path: Option<&Path>, error: &serde_json::Error) -> Self {
        let (line, column) = (error.line(), error.column());
        let text = error.to_string();
        // serde_json appends the position to the message; it is kept apart.
        let suffix = format!(" at line {line} column {column}");
        let message = match text.strip_suffix(&suffix) {
            Some(message) if line > 0 => message.to_owned(),
            _ => text,
        };
        let kind = limits::pending_kind(&message);
        let (mut field, mut path) = render(error_path);
        // An unknown or missing key fails before the path enters it: name
        // it anyway.
        let entered =
            |key: &str| matches!(path_last(error_path), Some(Segment::Map { key: k }) if k == key);
        if let Some(key) = unknown_key(&message).filter(|key| !entered(key)) {
            if field.is_empty() {
                field = key.to_owned();
            }
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
        }
        DtoError {
            kind,
            path,
            field,
            message,
            line,
            column,
        }
    }
}

impl fmt::Display for DtoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "invalid body: {}", self.message)?;
        } else {
            write!(f, "invalid field `{}`: {}", self.path, self.message)?;
        }
        if self.line > 0 {
            write!(f, " (line {}, column {})", self.line, self.column)?;
        }
        Ok(())
    }
}

impl std::error::Error for DtoError {}

/// Deserialises a DTO (a generated Create, Update or Search, or any
/// `DeserializeOwned` type) from JSON text; an error names the field at
/// fault ([`DtoError`]). The entry point for request bodies.
///
/// ```
/// use entable::dto::from_json;
///
/// #[derive(serde::Deserialize, Debug)]
/// #[serde(deny_unknown_fields)]
/// struct UserCreate {
///     name: String,
///     age: i32,
/// }
///
/// let error = from_json::<UserCreate>(r#"{"name": null, "age": 3}"#).unwrap_err();
/// assert_eq!(error.field(), "name");
/// let error = from_json::<UserCreate>(r#"{"name": "ann", "age": "x"}"#).unwrap_err();
/// assert_eq!(error.path(), "age");
/// assert_eq!(error.to_string(), "invalid field `age`: invalid type: string \"x\", expected i32 (line 1, column 26)");
/// ```
pub fn from_json<T: DeserializeOwned>(json: &str) -> Result<T, DtoError> {
    deserialize(&mut serde_json::Deserializer::from_str(json))
}

/// [`from_json`] for a body as bytes.
pub fn from_json_slice<T: DeserializeOwned>(json: &[u8]) -> Result<T, DtoError> {
    deserialize(&mut serde_json::Deserializer::from_slice(json))
}

/// [`from_json`] for a body already parsed into a `serde_json::Value`.
pub fn from_json_value<T: DeserializeOwned>(json: serde_json::Value) -> Result<T, DtoError> {
    limits::clear_pending();
    serde_path_to_error::deserialize(json).map_err(|e| DtoError::new(Some(e.path()), e.inner()))
}

fn deserialize<'de, R, T>(de: &mut serde_json::Deserializer<R>) -> Result<T, DtoError>
where
    R: serde_json::de::Read<'de>,
    T: DeserializeOwned,
{
    limits::clear_pending();
    let value: T = serde_path_to_error::deserialize(&mut *de)
        .map_err(|e| DtoError::new(Some(e.path()), e.inner()))?;
    // Trailing characters after the value are an error, as in `from_str`.
    de.end().map_err(|e| DtoError::new(None, &e))?;
    Ok(value)
}

/// The top-level field and the whole path, as `any_of[1].age.gte`.
fn render(path: Option<&Path>) -> (String, String) {
    let mut field = String::new();
    let mut out = String::new();
    let mut segments: Vec<&Segment> = path.into_iter().flatten().collect();
    // A key not read yet (a syntax error or an end of input where one was
    // due) is no place in the DTO: the path ends before it.
    while matches!(segments.last(), Some(Segment::Unknown)) {
        segments.pop();
    }
    for segment in segments {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push('?');
            }
        }
        if field.is_empty() {
            field.clone_from(&out);
        }
    }
    (field, out)
}

/// The key of serde's "unknown field `key`, expected …" and "missing field
/// `key`" messages, raised by the struct around the key (so the path stops
/// before it).
fn unknown_key(message: &str) -> Option<&str> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("missing field `"))?;
    rest.split_once('`').map(|(key, _)| key)
}

/// The segment the deserializer was in when it failed, if any.
fn path_last(path: Option<&Path>) -> Option<&Segment> {
    path?.iter().next_back()
}
