//! Exact decimals with a declared precision and scale (feature `decimal`).
//!
//! [`Numeric<P, S>`](Numeric) is a [`rust_decimal::Decimal`] that always has
//! at most `P` significant digits, `S` of them after the point: the column
//! is `NUMERIC(P, S)` on PostgreSQL, `DECIMAL(P, S)` on MySQL/MariaDB and,
//! on SQLite (which has no exact decimal type and whose sqlx driver decodes
//! none), the value times 10^S as a 64-bit `INTEGER`: exact, and compared
//! and sorted numerically by the database itself.
//!
//! Precision and scale are part of the type rather than an attribute
//! because sqlx cannot bind a `Decimal` on SQLite and entable may not
//! implement sqlx's traits for a type of another crate; the wrapper can,
//! and it carries its scale to every place a value is bound, decoded,
//! deserialised or validated. No value of it is ever built from or turned
//! into a float.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::backend::types::{FieldType, SqlType};

/// The largest precision a [`Numeric`] may declare: the 28 digits a
/// `rust_decimal::Decimal` holds.
pub const MAX_PRECISION: u8 = 28;

/// The largest precision SQLite stores: the scaled value must fit in its
/// 64-bit `INTEGER` (10^18 < 2^63).
pub const SQLITE_MAX_PRECISION: u8 = 18;

/// An exact decimal of at most `P` digits, `S` of them after the point
/// (`NUMERIC(P, S)`); for money, `Numeric<12, 2>` holds up to
/// 9,999,999,999.99.
///
/// A value is checked when it is made ([`Numeric::new`], `TryFrom`,
/// `FromStr`, deserialisation): more than `S` decimals or more than `P - S`
/// digits before the point is a [`NumericError`], never a rounding. It is
/// kept at exactly `S` decimals (`"1.5"` reads back and prints as `1.50`).
/// `P` must be 1 to 28 and `S` at most `P` (a compile error otherwise); on
/// SQLite `P` must be at most 18 (binding a larger one is
/// [`Error::InvalidValue`](crate::Error::InvalidValue)).
///
/// Serialised as a string (`"12.50"`), exact in every JSON reader.
/// Deserialised from a string or a JSON integer; a JSON number with a
/// fraction (`12.5`) is refused, since JSON readers pass it through `f64`
/// (send `"12.5"`).
///
/// ```
/// use entable::types::Numeric;
/// use std::str::FromStr;
///
/// let price = Numeric::<6, 2>::from_str("1234.5").unwrap();
/// assert_eq!(price.to_string(), "1234.50");
/// assert!(Numeric::<6, 2>::from_str("0.005").is_err()); // 3 decimals
/// assert!(Numeric::<6, 2>::from_str("10000").is_err()); // 5 digits before the point
/// assert_eq!(Numeric::<6, 2>::MAX.to_string(), "9999.99");
/// let json: Numeric<6, 2> = serde_json::from_str("\"-0.01\"").unwrap();
/// assert_eq!(serde_json::to_string(&json).unwrap(), "\"-0.01\"");
/// assert!(serde_json::from_str::<Numeric<6, 2>>("0.1").is_err()); // a float
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Numeric<const P: u8, const S: u8>(Decimal);

/// Why a decimal does not fit a [`Numeric<P, S>`](Numeric).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumericError {
    /// More decimals than the scale.
    #[error("{value} has more than {scale} digits after the point")]
    Scale {
        /// The value, as given.
        value: String,
        /// The declared scale.
        scale: u8,
    },
    /// More digits before the point than `precision - scale`.
    #[error(
        "{value} has more than {digits} digits before the point (precision {precision}, scale {scale})"
    )]
    Precision {
        /// The value, as given.
        value: String,
        /// `precision - scale`.
        digits: u8,
        /// The declared precision.
        precision: u8,
        /// The declared scale.
        scale: u8,
    },
    /// Not a decimal number.
    #[error("`{0}` is not a decimal number")]
    Syntax(String),
}

impl<const P: u8, const S: u8> Numeric<P, S> {
    /// Evaluated wherever a value is made: a precision or scale out of
    /// range does not compile.
    const VALID: () = assert!(
        P >= 1 && P <= MAX_PRECISION && S <= P,
        "Numeric<P, S> needs 1 <= P <= 28 and S <= P"
    );

    /// Zero.
    pub const ZERO: Self = {
        let () = Self::VALID;
        Numeric(Decimal::from_parts(0, 0, 0, false, S as u32))
    };

    /// The largest value: 10^(P-S) - 10^-S (`9999.99` for `Numeric<6, 2>`).
    pub const MAX: Self = Self::nines(false);

    /// The smallest value: `-MAX`.
    pub const MIN: Self = Self::nines(true);

    /// `±(10^P - 1) × 10^-S`: P nines.
    const fn nines(negative: bool) -> Self {
        let () = Self::VALID;
        let m = 10u128.pow(P as u32) - 1;
        Numeric(Decimal::from_parts(
            m as u32,
            (m >> 32) as u32,
            (m >> 64) as u32,
            negative,
            S as u32,
        ))
    }

    /// `value`, if it has at most `S` decimals and `P - S` digits before
    /// the point.
    pub fn new(value: Decimal) -> Result<Self, NumericError> {
        let () = Self::VALID;
        let mut fitted = value.normalize();
        if fitted.scale() > u32::from(S) {
            return Err(NumericError::Scale {
                value: value.to_string(),
                scale: S,
            });
        }
        fitted.rescale(u32::from(S));
        if fitted.scale() != u32::from(S)
            || fitted.mantissa().unsigned_abs() >= 10u128.pow(P.into())
        {
            return Err(NumericError::Precision {
                value: value.to_string(),
                digits: P - S,
                precision: P,
                scale: S,
            });
        }
        if fitted.is_zero() {
            fitted.set_sign_positive(true);
        }
        Ok(Numeric(fitted))
    }

    /// The value times 10^S, the integer SQLite stores.
    pub fn scaled(self) -> i128 {
        self.0.mantissa()
    }

    /// The value whose `scaled` form is `scaled` (what SQLite stored).
    pub fn from_scaled(scaled: i128) -> Result<Self, NumericError> {
        match Decimal::try_from_i128_with_scale(scaled, u32::from(S)) {
            Ok(value) => Self::new(value),
            Err(_) => Err(NumericError::Precision {
                value: scaled.to_string(),
                digits: P - S,
                precision: P,
                scale: S,
            }),
        }
    }

    /// The decimal.
    pub const fn get(self) -> Decimal {
        self.0
    }
}

impl<const P: u8, const S: u8> std::ops::Deref for Numeric<P, S> {
    type Target = Decimal;
    fn deref(&self) -> &Decimal {
        &self.0
    }
}

impl<const P: u8, const S: u8> TryFrom<Decimal> for Numeric<P, S> {
    type Error = NumericError;
    fn try_from(value: Decimal) -> Result<Self, NumericError> {
        Self::new(value)
    }
}

impl<const P: u8, const S: u8> TryFrom<i64> for Numeric<P, S> {
    type Error = NumericError;
    fn try_from(value: i64) -> Result<Self, NumericError> {
        Self::new(Decimal::from(value))
    }
}

impl<const P: u8, const S: u8> From<Numeric<P, S>> for Decimal {
    fn from(value: Numeric<P, S>) -> Decimal {
        value.0
    }
}

impl<const P: u8, const S: u8> FromStr for Numeric<P, S> {
    type Err = NumericError;
    fn from_str(text: &str) -> Result<Self, NumericError> {
        // `from_str_exact` refuses what it would have to round.
        let value = Decimal::from_str_exact(text.trim())
            .map_err(|_| NumericError::Syntax(text.to_owned()))?;
        Self::new(value)
    }
}

impl<const P: u8, const S: u8> fmt::Display for Numeric<P, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl<const P: u8, const S: u8> fmt::Debug for Numeric<P, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl<const P: u8, const S: u8> FieldType for Numeric<P, S> {
    const SQL_TYPE: SqlType = {
        let () = Self::VALID;
        SqlType::Decimal {
            precision: P,
            scale: S,
        }
    };
}

impl<const P: u8, const S: u8> crate::dto::Filterable for Numeric<P, S> {
    type Kind = crate::dto::kind::Ord;
}

impl<const P: u8, const S: u8> Serialize for Numeric<P, S> {
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de, const P: u8, const S: u8> Deserialize<'de> for Numeric<P, S> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NumericVisitor::<P, S>)
    }
}

struct NumericVisitor<const P: u8, const S: u8>;

impl<const P: u8, const S: u8> Visitor<'_> for NumericVisitor<P, S> {
    type Value = Numeric<P, S>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a decimal of at most {} digits before the point and {S} after, as a string (\"12.50\") or an integer",
            P - S
        )
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        text.parse().map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        Numeric::new(Decimal::from(n)).map_err(E::custom)
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        Numeric::new(Decimal::from(n)).map_err(E::custom)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(E::custom(
            "a JSON number with a fraction is read through f64, which is not exact: give the decimal as a string (\"12.50\")",
        ))
    }
}

/// `#[validate(range(min = "0.01", max = "9999.99"))]`: decimal bounds as
/// strings, compared exactly. A bound that is not a decimal number fails
/// the validation.
impl<const P: u8, const S: u8> validator::ValidateRange<&str> for Numeric<P, S> {
    fn greater_than(&self, max: &str) -> Option<bool> {
        Some(Decimal::from_str_exact(max).map_or(true, |max| self.0 > max))
    }
    fn less_than(&self, min: &str) -> Option<bool> {
        Some(Decimal::from_str_exact(min).map_or(true, |min| self.0 < min))
    }
}

/// `#[validate(range(min = 0))]`: integer bounds.
impl<const P: u8, const S: u8> validator::ValidateRange<i32> for Numeric<P, S> {
    fn greater_than(&self, max: i32) -> Option<bool> {
        Some(self.0 > Decimal::from(max))
    }
    fn less_than(&self, min: i32) -> Option<bool> {
        Some(self.0 < Decimal::from(min))
    }
}

/// `#[validate(range(min = Numeric::ZERO))]`: bounds of the same type.
impl<const P: u8, const S: u8> validator::ValidateRange<Numeric<P, S>> for Numeric<P, S> {
    fn greater_than(&self, max: Numeric<P, S>) -> Option<bool> {
        Some(self.0 > max.0)
    }
    fn less_than(&self, min: Numeric<P, S>) -> Option<bool> {
        Some(self.0 < min.0)
    }
}

#[cfg(feature = "sqlx-sqlite")]
fn invalid(reason: String) -> sqlx::error::BoxDynError {
    Box::new(crate::backend::values::InvalidValue {
        column: None,
        reason,
    })
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;
    use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef};
    use sqlx::{Decode, Encode, Postgres, Type};

    impl<const P: u8, const S: u8> Type<Postgres> for Numeric<P, S> {
        fn type_info() -> PgTypeInfo {
            <Decimal as Type<Postgres>>::type_info()
        }
        fn compatible(ty: &PgTypeInfo) -> bool {
            <Decimal as Type<Postgres>>::compatible(ty)
        }
    }

    impl<const P: u8, const S: u8> PgHasArrayType for Numeric<P, S> {
        fn array_type_info() -> PgTypeInfo {
            <Decimal as PgHasArrayType>::array_type_info()
        }
    }

    impl<const P: u8, const S: u8> Encode<'_, Postgres> for Numeric<P, S> {
        fn encode_by_ref(
            &self,
            buf: &mut PgArgumentBuffer,
        ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
            <Decimal as Encode<Postgres>>::encode_by_ref(&self.0, buf)
        }
    }

    impl<'r, const P: u8, const S: u8> Decode<'r, Postgres> for Numeric<P, S> {
        fn decode(value: PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
            Ok(Numeric::new(<Decimal as Decode<Postgres>>::decode(value)?)?)
        }
    }
}

#[cfg(feature = "mysql")]
mod mysql {
    use super::*;
    use sqlx::mysql::{MySqlTypeInfo, MySqlValueRef};
    use sqlx::{Decode, Encode, MySql, Type};

    impl<const P: u8, const S: u8> Type<MySql> for Numeric<P, S> {
        fn type_info() -> MySqlTypeInfo {
            <Decimal as Type<MySql>>::type_info()
        }
        fn compatible(ty: &MySqlTypeInfo) -> bool {
            <Decimal as Type<MySql>>::compatible(ty)
        }
    }

    impl<const P: u8, const S: u8> Encode<'_, MySql> for Numeric<P, S> {
        fn encode_by_ref(
            &self,
            buf: &mut Vec<u8>,
        ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
            <Decimal as Encode<MySql>>::encode_by_ref(&self.0, buf)
        }
    }

    impl<'r, const P: u8, const S: u8> Decode<'r, MySql> for Numeric<P, S> {
        fn decode(value: MySqlValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
            Ok(Numeric::new(<Decimal as Decode<MySql>>::decode(value)?)?)
        }
    }
}

#[cfg(feature = "sqlx-sqlite")]
mod sqlite {
    use super::*;
    use sqlx::sqlite::{SqliteArgumentsBuffer, SqliteTypeInfo, SqliteValueRef};
    use sqlx::{Decode, Encode, Sqlite, Type};

    impl<const P: u8, const S: u8> Type<Sqlite> for Numeric<P, S> {
        fn type_info() -> SqliteTypeInfo {
            <i64 as Type<Sqlite>>::type_info()
        }
        fn compatible(ty: &SqliteTypeInfo) -> bool {
            <i64 as Type<Sqlite>>::compatible(ty)
        }
    }

    impl<const P: u8, const S: u8> Encode<'_, Sqlite> for Numeric<P, S> {
        fn encode_by_ref(
            &self,
            buf: &mut SqliteArgumentsBuffer,
        ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
            if P > SQLITE_MAX_PRECISION {
                return Err(invalid(format!(
                    "SQLite stores a decimal as an integer times 10^scale, which holds at most {SQLITE_MAX_PRECISION} digits; Numeric<{P}, {S}> has {P}"
                )));
            }
            // P <= 18 digits always fit an i64.
            let scaled = i64::try_from(self.scaled())
                .map_err(|_| invalid(format!("{self} does not fit SQLite's INTEGER")))?;
            <i64 as Encode<Sqlite>>::encode(scaled, buf)
        }
    }

    impl<'r, const P: u8, const S: u8> Decode<'r, Sqlite> for Numeric<P, S> {
        fn decode(value: SqliteValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
            let scaled = <i64 as Decode<Sqlite>>::decode(value)?;
            Ok(Numeric::from_scaled(i128::from(scaled))?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Money = Numeric<6, 2>;

    #[test]
    fn edges() {
        let parse = |s: &str| s.parse::<Money>();
        assert_eq!(parse("9999.99"), Ok(Money::MAX));
        assert_eq!(parse("-9999.99"), Ok(Money::MIN));
        assert!(parse("10000").is_err());
        assert!(parse("0.001").is_err());
        assert_eq!(parse("0.010").map(|m| m.scaled()), Ok(1));
        assert_eq!(parse("-0").map(|m| m.to_string()), Ok("0.00".into()));
        assert_eq!(Money::from_scaled(-999_999), Ok(Money::MIN));
        assert!(Money::from_scaled(1_000_000).is_err());
        assert_eq!(Numeric::<28, 0>::MAX.to_string(), "9".repeat(28));
        assert_eq!(Numeric::<28, 28>::MAX.scaled(), 10i128.pow(28) - 1);
    }

    #[test]
    fn ranges() {
        use validator::ValidateRange;
        let v: Money = "5.00".parse().unwrap_or(Money::ZERO);
        assert!(v.validate_range(Some("0.01"), Some("5"), None, None));
        assert!(!v.validate_range(Some("5.01"), None, None, None));
        assert!(!v.validate_range(None, Some(4), None, None));
    }
}
