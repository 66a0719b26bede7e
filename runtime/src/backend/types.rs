//! The type table: which Rust type becomes which SQL type, per dialect.
//!
//! Two steps, both here: a Rust type names a dialect-neutral [`SqlType`]
//! through [`FieldType`]; [`column_type`] turns a `SqlType` into the type
//! name of one dialect. The table below is the one in `docs/attributes.md`.
//!
//! | Rust | `SqlType` | PostgreSQL | MySQL/MariaDB | SQLite |
//! |---|---|---|---|---|
//! | `bool` | `Bool` | `BOOLEAN` | `BOOLEAN` | `BOOLEAN` |
//! | `i16` | `SmallInt` | `SMALLINT` | `SMALLINT` | `SMALLINT` |
//! | `i32` | `Int` | `INTEGER` | `INT` | `INTEGER` |
//! | `i64` | `BigInt` | `BIGINT` | `BIGINT` | `BIGINT` |
//! | `f32` | `Real` | `REAL` | `FLOAT` | `REAL` |
//! | `f64` | `Double` | `DOUBLE PRECISION` | `DOUBLE` | `DOUBLE` |
//! | `String` | `Text` | `TEXT` / `VARCHAR(n)` | `LONGTEXT` / `VARCHAR(n)` (¹) | `TEXT` / `VARCHAR(n)` |
//! | `Vec<u8>` | `Bytes` | `BYTEA` | `LONGBLOB` / `VARBINARY(n)` (¹) | `BLOB` |
//! | `uuid::Uuid` | `Uuid` | `UUID` | `BINARY(16)` | `BLOB` |
//! | `chrono::DateTime<Utc>` | `TimestampTz` | `TIMESTAMPTZ` | `DATETIME(6)` | `DATETIME` |
//! | `chrono::NaiveDateTime` | `Timestamp` | `TIMESTAMP` | `DATETIME(6)` | `DATETIME` |
//! | `chrono::NaiveDate` | `Date` | `DATE` | `DATE` | `DATE` |
//! | `chrono::NaiveTime` | `Time` | `TIME` | `TIME(6)` | `TIME` |
//! | `time::OffsetDateTime` (feature `time`) | `TimestampTz` | as `DateTime<Utc>` | | |
//! | `time::PrimitiveDateTime`, `time::Date`, `time::Time` | as the `Naive*` types | | | |
//! | `serde_json::Value`, [`Json<T>`](crate::types::Json) | `Json` | `JSONB` | `JSON` | `TEXT` |
//! | `#[derive(DbEnum)]` enums | `Text` | as `String` | as `String` | as `String` |
//! | `entable::types::Numeric<P, S>` (feature `decimal`) | `Decimal` | `NUMERIC(P,S)` | `DECIMAL(P,S)` | `INTEGER_SCALED(P,S)` (²) |
//!
//! (¹) MySQL cannot index `TEXT`/`BLOB` columns without a prefix length, so a
//! text or bytes column without `max_length` that is part of a key or index
//! becomes `VARCHAR(255)` / `VARBINARY(255)` there.
//!
//! (²) The value times 10^S, an integer: exact and ordered numerically;
//! `P` at most 18 there.

use std::borrow::Cow;

use super::Dialect;
use crate::schema::ColumnMeta;

/// A dialect-neutral column type. [`column_type`] names it per dialect.
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
/// Implemented for the types in the [module table](self); `Option<T>` is
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

/// The SQLite type of a decimal column: the value times 10^scale as an
/// integer (the name has `INT` in it, so the column has integer affinity).
/// The scale is in the name so that a snapshot sees a scale change, which
/// a migration must apply to the stored integers.
pub const SQLITE_DECIMAL: &str = "INTEGER_SCALED";

fn decimal_type(dialect: Dialect, precision: u8, scale: u8) -> String {
    let name = match dialect {
        Dialect::Postgres => "NUMERIC",
        Dialect::MySql => "DECIMAL",
        Dialect::Sqlite => SQLITE_DECIMAL,
    };
    format!("{name}({precision},{scale})")
}

/// The scale of a SQLite decimal column type (`INTEGER_SCALED(12,2)`).
pub fn sqlite_decimal_scale(ty: &str) -> Option<u32> {
    let args = ty.strip_prefix(SQLITE_DECIMAL)?.strip_prefix('(')?;
    let (_, scale) = args.strip_suffix(')')?.split_once(',')?;
    scale.trim().parse().ok()
}

/// The length MySQL gives indexed text and bytes columns that declare no
/// `max_length`.
pub const MYSQL_INDEXED_TEXT_LENGTH: u32 = 255;

/// The type name of `column` in `dialect`. `in_key` tells whether the column
/// is part of a primary key, unique constraint, index or foreign key.
pub fn column_type(dialect: Dialect, column: &ColumnMeta, in_key: bool) -> Cow<'static, str> {
    use Dialect::*;
    use SqlType::*;
    let n = column.max_length;
    let name: &'static str = match (column.sql_type, dialect) {
        (Custom(c), d) => c.get(d),
        (Bool, _) => "BOOLEAN",
        (SmallInt, _) => "SMALLINT",
        (Int, MySql) => "INT",
        (Int, _) => "INTEGER",
        (BigInt, _) => "BIGINT",
        (Real, MySql) => "FLOAT",
        (Real, _) => "REAL",
        (Double, Postgres) => "DOUBLE PRECISION",
        (Double, _) => "DOUBLE",
        (Text, MySql) if n.is_none() && in_key => {
            return Cow::Owned(format!("VARCHAR({MYSQL_INDEXED_TEXT_LENGTH})"));
        }
        (Text, _) => match n {
            Some(n) => return Cow::Owned(format!("VARCHAR({n})")),
            // MySQL's TEXT holds 64 KiB; LONGTEXT, like LONGBLOB for bytes,
            // holds what the other backends do.
            None if dialect == MySql => "LONGTEXT",
            None => "TEXT",
        },
        (Bytes, MySql) => match (n, in_key) {
            (Some(n), _) => return Cow::Owned(format!("VARBINARY({n})")),
            (None, true) => return Cow::Owned(format!("VARBINARY({MYSQL_INDEXED_TEXT_LENGTH})")),
            (None, false) => "LONGBLOB",
        },
        (Bytes, Postgres) => "BYTEA",
        (Bytes, Sqlite) => "BLOB",
        (Uuid, Postgres) => "UUID",
        (Uuid, MySql) => "BINARY(16)",
        (Uuid, Sqlite) => "BLOB",
        (TimestampTz, Postgres) => "TIMESTAMPTZ",
        (Timestamp, Postgres) => "TIMESTAMP",
        (TimestampTz | Timestamp, MySql) => "DATETIME(6)",
        (TimestampTz | Timestamp, Sqlite) => "DATETIME",
        (Date, _) => "DATE",
        (Time, MySql) => "TIME(6)",
        (Time, _) => "TIME",
        (Json, Postgres) => "JSONB",
        (Json, MySql) => "JSON",
        (Json, Sqlite) => "TEXT",
        (Decimal { precision, scale }, d) => {
            return Cow::Owned(decimal_type(d, precision, scale));
        }
    };
    Cow::Borrowed(name)
}
