//! Column value types beyond the standard ones: enums stored as text and
//! typed JSON.

pub use crate::backend::types::{FieldType, SqlType};
#[cfg(feature = "decimal")]
pub use crate::numeric::{MAX_PRECISION, Numeric, NumericError, SQLITE_MAX_PRECISION};

/// A JSON column holding a `T` (serialised with serde). Re-exported from
/// sqlx so values bind and decode directly.
#[cfg(feature = "json")]
pub use sqlx::types::Json;

/// A unit-only enum stored as text. Implemented by `#[derive(DbEnum)]`,
/// which also implements [`FieldType`] and sqlx's `Type`, `Encode` and
/// `Decode` for every backend.
///
/// ```
/// use entable::DbEnum;
/// use entable::types::DbEnum as _;
///
/// #[derive(DbEnum, Debug, Clone, Copy, PartialEq, Eq)]
/// enum Status {
///     Active,
///     OnHold,
///     #[db_enum(rename = "gone")]
///     Deleted,
/// }
///
/// assert_eq!(Status::OnHold.as_db_str(), "on_hold");
/// assert_eq!(Status::from_db_str("gone"), Some(Status::Deleted));
/// assert_eq!(Status::from_db_str("Active"), None);
/// assert_eq!(Status::VARIANTS, ["active", "on_hold", "gone"]);
/// ```
pub trait DbEnum: Sized + 'static {
    /// The stored text of every variant, in declaration order.
    const VARIANTS: &'static [&'static str];
    /// The stored text of this value.
    fn as_db_str(&self) -> &'static str;
    /// The value stored as `text`, if any (exact, case-sensitive match).
    fn from_db_str(text: &str) -> Option<Self>;
}

/// The error when a stored text names no variant of a [`DbEnum`].
#[derive(Debug, thiserror::Error)]
#[error("`{value}` is not a variant of {enum_name} (expected one of {expected:?})")]
pub struct UnknownVariant {
    /// The enum's name.
    pub enum_name: &'static str,
    /// What was stored.
    pub value: String,
    /// What would have been accepted.
    pub expected: &'static [&'static str],
}

/// Deserialises a [`DbEnum`] from its stored text; the error names the
/// accepted texts. Used by the serde impls of `#[derive(DbEnum)]`.
#[doc(hidden)]
pub fn deserialize_db_enum<'de, E: DbEnum, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<E, D::Error> {
    let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
    E::from_db_str(&text).ok_or_else(|| serde::de::Error::unknown_variant(&text, E::VARIANTS))
}
