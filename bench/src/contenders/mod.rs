//! One module per contender.

pub mod diesel;
pub mod entable;
pub mod sea_orm;
pub mod sqlx_copy;
pub mod sqlx_raw;

pub use self::diesel::Diesel;
pub use self::entable::Entable;
pub use self::sea_orm::SeaOrm;
pub use self::sqlx_copy::SqlxCopy;
pub use self::sqlx_raw::RawSqlx;

/// The contenders' names, in report order: the baseline first. The bulk
/// line also has [`SqlxCopy::NAME`] on PostgreSQL.
pub const NAMES: [&str; 4] = ["sqlx", "entable", "sea-orm", "diesel"];
