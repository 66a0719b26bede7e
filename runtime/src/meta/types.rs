//! Column types as metadata: the dialect-neutral [`SqlType`] of a column
//! and the Rust types that map to one ([`FieldType`]). How each is named in
//! each dialect is [`crate::backend::types`].

use super::Dialect;

/// A dialect-neutral column type.
/// [`column_type`](crate::backend::types::column_type) names it per dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SqlType {
    /// `bool`.
    Bool,
    /// `i16`.
    SmallInt,
    /// `i32`.
    Int,
    /// `i64`.
    BigInt,
    /// `f32`.
    Real,
    /// `f64`.
    Double,
    /// `String`; `VARCHAR(n)` with `max_length = n`.
    Text,
    /// `Vec<u8>`.
    Bytes,
    /// `uuid::Uuid`.
    Uuid,
    /// An instant in UTC (`DateTime<Utc>`).
    TimestampTz,
    /// A date and time without zone (`NaiveDateTime`).
    Timestamp,
    /// A calendar date.
    Date,
    /// A time of day.
    Time,
    /// A JSON document.
    Json,
    /// A type spelled out per dialect by `#[entity(sql_type = …)]`.
    Custom(CustomSqlType),
    /// An exact decimal of `precision` digits, `scale` after the point
    /// (`entable::types::Numeric<P, S>`, feature `decimal`).
    Decimal {
        /// Digits in all.
        precision: u8,
        /// Digits after the point.
        scale: u8,
    },
}

/// A SQL type given verbatim per dialect by `#[entity(sql_type = …)]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CustomSqlType {
    /// The type on PostgreSQL.
    pub postgres: &'static str,
    /// The type on MySQL/MariaDB.
    pub mysql: &'static str,
    /// The type on SQLite.
    pub sqlite: &'static str,
}

impl CustomSqlType {
    /// The type for `dialect`.
    pub const fn get(&self, dialect: Dialect) -> &'static str {
        match dialect {
            Dialect::Postgres => self.postgres,
            Dialect::MySql => self.mysql,
            Dialect::Sqlite => self.sqlite,
        }
    }
}

/// A Rust type that can be stored in a column.
///
/// Implemented for the types in the [type table](crate::backend::types); `Option<T>` is
/// not listed because nullability is read from the field's declared type.
/// `#[derive(DbEnum)]` implements it for unit-only enums. For anything else
/// either implement it or give the field `#[entity(sql_type = "…")]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no SQL type mapping in entable",
    label = "no SQL type for `{Self}`",
    note = "give the field an explicit type: #[entity(sql_type = \"…\")]",
    note = "unit-only enums can `#[derive(entable::DbEnum)]`; JSON data can be wrapped in `entable::types::Json<T>`"
)]
pub trait FieldType {
    /// The column type.
    const SQL_TYPE: SqlType;
    /// The only values the column may hold, as stored: the labels of a
    /// `#[derive(DbEnum)]` enum, which the table enforces with a CHECK
    /// constraint. Empty (no constraint) for every other type.
    const LABELS: &'static [&'static str] = &[];
}

macro_rules! field_types {
    ($($ty:ty => $sql:ident),* $(,)?) => {
        $(impl FieldType for $ty {
            const SQL_TYPE: SqlType = SqlType::$sql;
        })*
    };
}

field_types! {
    bool => Bool,
    i16 => SmallInt,
    i32 => Int,
    i64 => BigInt,
    f32 => Real,
    f64 => Double,
    String => Text,
    Vec<u8> => Bytes,
    uuid::Uuid => Uuid,
}

#[cfg(feature = "chrono")]
field_types! {
    chrono::DateTime<chrono::Utc> => TimestampTz,
    chrono::NaiveDateTime => Timestamp,
    chrono::NaiveDate => Date,
    chrono::NaiveTime => Time,
}

#[cfg(feature = "time")]
field_types! {
    time::OffsetDateTime => TimestampTz,
    time::PrimitiveDateTime => Timestamp,
    time::Date => Date,
    time::Time => Time,
}

#[cfg(feature = "json")]
field_types! {
    serde_json::Value => Json,
}

#[cfg(feature = "json")]
impl<T> FieldType for sqlx::types::Json<T> {
    const SQL_TYPE: SqlType = SqlType::Json;
}
