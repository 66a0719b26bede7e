//! How Rust values are stored in SQLite by the rusqlite driver: exactly as
//! sqlx-sqlite 0.9 stores them, so one database file serves both drivers.
//! Dates and times are in `dates.rs`.

use rusqlite::types::{Value, ValueRef};
use sqlx::error::BoxDynError;

use super::error::column_decode;
use super::{Lite, LiteArgs, LiteRow};
use crate::driver::{BindError, ColumnValue, DriverError};

/// A Rust value [`Lite`] stores: how it is written to SQLite and read
/// back. Every type entable maps on SQLite implements it, as does every
/// `#[derive(DbEnum)]` enum (through [`DbEnum`](crate::types::DbEnum)), and
/// [`ColumnValue<Lite>`] follows from it.
///
/// | Rust | stored as (the same as sqlx-sqlite) |
/// |---|---|
/// | `bool` | INTEGER 0 or 1 |
/// | `i16`, `i32`, `i64` | INTEGER |
/// | `f32`, `f64` | REAL |
/// | `String`, a `DbEnum` | TEXT |
/// | `Vec<u8>` | BLOB |
/// | `uuid::Uuid` | BLOB of its 16 bytes |
/// | date-times, dates, times | TEXT (see `dates.rs`: RFC 3339 with offset for zoned ones, `YYYY-MM-DD HH:MM:SS.f` otherwise) |
/// | `serde_json::Value`, `Json<T>` | TEXT, compact JSON |
/// | `Numeric<P, S>` | INTEGER, the value times 10^S |
/// | `Option<T>` | NULL for `None` |
pub trait LiteValue: Send + Sync + Sized + 'static {
    /// Whether SQL NULL decodes to a value (`Option`); for every other type
    /// a NULL is an `UnexpectedNullError`, as with sqlx.
    const NULLABLE: bool = false;

    /// The value as SQLite stores it.
    fn to_lite(&self) -> Result<Value, BindError>;

    /// [`to_lite`](Self::to_lite), taking the value (text and bytes move
    /// instead of being copied).
    fn into_lite(self) -> Result<Value, BindError> {
        self.to_lite()
    }

    /// The value stored as `value` (not NULL unless
    /// [`NULLABLE`](Self::NULLABLE)).
    fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError>;
}

impl<T: LiteValue> ColumnValue<Lite> for T {
    fn bind_unchecked(&self, args: &mut LiteArgs) -> Result<(), BindError> {
        args.push(self.to_lite()?);
        Ok(())
    }

    fn bind_owned_unchecked(self, args: &mut LiteArgs) -> Result<(), BindError> {
        args.push(self.into_lite()?);
        Ok(())
    }

    fn decode(row: &LiteRow, index: usize) -> Result<Self, DriverError> {
        let value = row
            .value(index)
            .ok_or(DriverError::ColumnIndexOutOfBounds {
                index,
                len: row.len(),
            })?;
        if matches!(value, Value::Null) && !T::NULLABLE {
            return Err(column_decode(
                index,
                Box::new(sqlx::error::UnexpectedNullError),
            ));
        }
        T::from_lite(ValueRef::from(value)).map_err(|source| column_decode(index, source))
    }
}

/// The error for a stored value of the wrong kind.
pub(super) fn mismatch(expected: &str, found: ValueRef<'_>) -> BoxDynError {
    format!(
        "mismatched types: expected {expected}, found SQLite {}",
        found.data_type()
    )
    .into()
}

/// Stored text, which SQLite keeps as UTF-8.
pub(super) fn text<'v>(value: ValueRef<'v>, expected: &str) -> Result<&'v str, BoxDynError> {
    match value {
        ValueRef::Text(bytes) => Ok(std::str::from_utf8(bytes)?),
        other => Err(mismatch(expected, other)),
    }
}

/// A stored integer.
fn integer(value: ValueRef<'_>, expected: &str) -> Result<i64, BoxDynError> {
    match value {
        ValueRef::Integer(n) => Ok(n),
        other => Err(mismatch(expected, other)),
    }
}

impl<T: LiteValue> LiteValue for Option<T> {
    const NULLABLE: bool = true;

    fn to_lite(&self) -> Result<Value, BindError> {
        self.as_ref().map_or(Ok(Value::Null), T::to_lite)
    }

    fn into_lite(self) -> Result<Value, BindError> {
        self.map_or(Ok(Value::Null), T::into_lite)
    }

    fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        match value {
            ValueRef::Null => Ok(None),
            value => T::from_lite(value).map(Some),
        }
    }
}

impl LiteValue for bool {
    fn to_lite(&self) -> Result<Value, BindError> {
        Ok(Value::Integer(i64::from(*self)))
    }

    fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        Ok(integer(value, "a boolean (INTEGER)")? != 0)
    }
}

macro_rules! lite_int {
    ($($ty:ty),*) => {$(
        impl LiteValue for $ty {
            fn to_lite(&self) -> Result<Value, BindError> {
                Ok(Value::Integer(i64::from(*self)))
            }

            fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
                let n = integer(value, "INTEGER")?;
                <$ty>::try_from(n).map_err(|_| {
                    format!("{n} is out of range for {}", stringify!($ty)).into()
                })
            }
        }
    )*};
}
lite_int!(i16, i32, i64);

impl LiteValue for f64 {
    fn to_lite(&self) -> Result<Value, BindError> {
        Ok(Value::Real(*self))
    }

    fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        match value {
            ValueRef::Real(x) => Ok(x),
            // An integer result of arithmetic on a REAL column's values.
            #[allow(clippy::cast_precision_loss)]
            ValueRef::Integer(n) => Ok(n as f64),
            other => Err(mismatch("REAL", other)),
        }
    }
}

impl LiteValue for f32 {
    fn to_lite(&self) -> Result<Value, BindError> {
        Ok(Value::Real(f64::from(*self)))
    }

    fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        // Narrowed as sqlx-sqlite narrows it: SQLite stores only doubles.
        #[allow(clippy::cast_possible_truncation)]
        Ok(f64::from_lite(value)? as f32)
    }
}

impl LiteValue for String {
    fn to_lite(&self) -> Result<Value, BindError> {
        Ok(Value::Text(self.clone()))
    }

    fn into_lite(self) -> Result<Value, BindError> {
        Ok(Value::Text(self))
    }

    fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        text(value, "TEXT").map(str::to_owned)
    }
}

impl LiteValue for Vec<u8> {
    fn to_lite(&self) -> Result<Value, BindError> {
        Ok(Value::Blob(self.clone()))
    }

    fn into_lite(self) -> Result<Value, BindError> {
        Ok(Value::Blob(self))
    }

    fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        // sqlx-sqlite reads text as its bytes too.
        match value {
            ValueRef::Blob(bytes) | ValueRef::Text(bytes) => Ok(bytes.to_vec()),
            other => Err(mismatch("BLOB", other)),
        }
    }
}

impl LiteValue for uuid::Uuid {
    fn to_lite(&self) -> Result<Value, BindError> {
        Ok(Value::Blob(self.as_bytes().to_vec()))
    }

    fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        match value {
            ValueRef::Blob(bytes) => Ok(uuid::Uuid::from_slice(bytes)?),
            // Written by hand or by another tool as text.
            ValueRef::Text(bytes) => Ok(uuid::Uuid::try_parse_ascii(bytes)?),
            other => Err(mismatch("a UUID (BLOB)", other)),
        }
    }
}

/// Enums stored as their text, as the derive's sqlx impls store them.
impl<E: crate::types::DbEnum + Send + Sync> LiteValue for E {
    fn to_lite(&self) -> Result<Value, BindError> {
        Ok(Value::Text(self.as_db_str().to_owned()))
    }

    fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        let stored = text(value, "TEXT")?;
        E::from_db_str(stored).ok_or_else(|| {
            Box::new(crate::types::UnknownVariant {
                // The derive's sqlx impl names the enum without its path.
                enum_name: short_name(std::any::type_name::<E>()),
                value: stored.to_owned(),
                expected: E::VARIANTS,
            }) as BoxDynError
        })
    }
}

/// `Status` of `app::model::Status`.
fn short_name(path: &'static str) -> &'static str {
    path.rsplit("::").next().unwrap_or(path)
}

#[cfg(feature = "json")]
impl LiteValue for serde_json::Value {
    fn to_lite(&self) -> Result<Value, BindError> {
        Ok(Value::Text(serde_json::to_string(self)?))
    }

    fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        json_bytes(value).and_then(|bytes| Ok(serde_json::from_slice(bytes)?))
    }
}

#[cfg(feature = "json")]
impl<T> LiteValue for crate::types::Json<T>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
{
    fn to_lite(&self) -> Result<Value, BindError> {
        Ok(Value::Text(serde_json::to_string(&self.0)?))
    }

    fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        json_bytes(value).and_then(|bytes| Ok(crate::types::Json(serde_json::from_slice(bytes)?)))
    }
}

/// The bytes of stored JSON (text; sqlx-sqlite also reads a blob).
#[cfg(feature = "json")]
fn json_bytes(value: ValueRef<'_>) -> Result<&[u8], BoxDynError> {
    match value {
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => Ok(bytes),
        other => Err(mismatch("JSON (TEXT)", other)),
    }
}

/// An exact decimal as sqlx-sqlite stores it for entable: the value times
/// 10^S as an INTEGER (see `numeric.rs`).
#[cfg(feature = "decimal")]
impl<const P: u8, const S: u8> LiteValue for crate::types::Numeric<P, S> {
    fn to_lite(&self) -> Result<Value, BindError> {
        use crate::types::SQLITE_MAX_PRECISION;
        let invalid = |reason: String| -> BindError {
            Box::new(crate::backend::values::InvalidValue {
                column: None,
                reason,
            })
        };
        if P > SQLITE_MAX_PRECISION {
            return Err(invalid(format!(
                "SQLite stores a decimal as an integer times 10^scale, which holds at most {SQLITE_MAX_PRECISION} digits; Numeric<{P}, {S}> has {P}"
            )));
        }
        let scaled = i64::try_from(self.scaled())
            .map_err(|_| invalid(format!("{self} does not fit SQLite's INTEGER")))?;
        Ok(Value::Integer(scaled))
    }

    fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
        let scaled = integer(value, "a scaled decimal (INTEGER)")?;
        Ok(Self::from_scaled(i128::from(scaled))?)
    }
}
