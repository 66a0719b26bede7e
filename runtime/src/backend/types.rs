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
use crate::meta::ColumnMeta;
pub use crate::meta::types::{CustomSqlType, FieldType, SqlType};

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
