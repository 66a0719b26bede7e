//! The drivers: how statements reach each database, through sqlx.
//!
//! [`Backend`] is entable's own small trait over a sqlx database; generated
//! code is generic over it and names no sqlx bound itself: the bounds it
//! needs are bundled in [`ColumnValue`]. A driver sqlx lacks (DuckDB, a
//! synchronous SQLite) would be one more implementation.

use sqlx::{Database, Row as _};

use super::Dialect;

/// The row type of a backend.
pub type Row<B> = <<B as Backend>::Database as Database>::Row;
/// The bind-argument buffer of a backend.
pub type Args<B> = <<B as Backend>::Database as Database>::Arguments;

/// A database entable runs statements on.
pub trait Backend: Send + Sync + Sized + 'static {
    /// The sqlx database.
    type Database: Database;
    /// Its SQL dialect.
    const DIALECT: Dialect;

    /// Decodes column `index` of `row`.
    fn get<T: ColumnValue<Self>>(row: &Row<Self>, index: usize) -> Result<T, sqlx::Error>;

    /// Binds a text value (search patterns).
    fn bind_text(args: &mut Args<Self>, text: String) -> Result<(), sqlx::error::BoxDynError>;

    /// Binds an integer (limits and offsets).
    fn bind_i64(args: &mut Args<Self>, n: i64) -> Result<(), sqlx::error::BoxDynError>;

    /// The key the database generated for the last inserted row, where the
    /// dialect reports it that way (MySQL; SQLite's rowid).
    fn last_insert_id(result: &QueryResult<Self>) -> Option<u64>;

    /// An [`Exec`](crate::Exec) on `conn`, for the statements of an
    /// operation already running there (hooks, audit rows).
    #[doc(hidden)]
    fn inner(
        conn: &mut <Self::Database as Database>::Connection,
        audit: Option<std::sync::Arc<crate::audit::AuditContext>>,
    ) -> crate::Exec<'_>;

    /// Writes a type-erased condition (dispatches to the condition's writer
    /// for this backend).
    #[doc(hidden)]
    fn write_condition(
        condition: &dyn crate::query::DynCondition,
        table: &'static crate::schema::TableMeta,
        column: &'static str,
        w: &mut crate::repo::WhereWriter<'_, Self>,
    );
}

/// The result of an `execute` on a backend.
pub type QueryResult<B> = <<B as Backend>::Database as Database>::QueryResult;

/// A Rust value that binds to and decodes from a column of backend `B`.
/// Implemented for every type sqlx can encode and decode there.
pub trait ColumnValue<B: Backend>:
    for<'q> sqlx::Encode<'q, B::Database>
    + for<'r> sqlx::Decode<'r, B::Database>
    + sqlx::Type<B::Database>
    + Send
    + Sync
{
}

impl<B: Backend, T> ColumnValue<B> for T where
    T: for<'q> sqlx::Encode<'q, B::Database>
        + for<'r> sqlx::Decode<'r, B::Database>
        + sqlx::Type<B::Database>
        + Send
        + Sync
{
}

/// Appends `value` to `args`.
pub fn bind<B: Backend, T: ColumnValue<B>>(
    args: &mut Args<B>,
    value: &T,
) -> Result<(), sqlx::error::BoxDynError> {
    sqlx::Arguments::add(args, value)
}

macro_rules! backend {
    ($(#[$doc:meta])* $name:ident, $feature:literal, $db:ty, $dialect:expr, $write:ident, $variant:ident, |$result:ident| $last_id:expr) => {
        $(#[$doc])*
        #[cfg(feature = $feature)]
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        #[cfg(feature = $feature)]
        impl Backend for $name {
            type Database = $db;
            const DIALECT: Dialect = $dialect;

            fn get<T: ColumnValue<Self>>(row: &Row<Self>, index: usize) -> Result<T, sqlx::Error> {
                row.try_get(index)
            }

            fn bind_text(args: &mut Args<Self>, text: String) -> Result<(), sqlx::error::BoxDynError> {
                sqlx::Arguments::add(args, text)
            }

            fn bind_i64(args: &mut Args<Self>, n: i64) -> Result<(), sqlx::error::BoxDynError> {
                sqlx::Arguments::add(args, n)
            }

            fn last_insert_id($result: &QueryResult<Self>) -> Option<u64> {
                $last_id
            }

            fn inner(
                conn: &mut <Self::Database as Database>::Connection,
                audit: Option<std::sync::Arc<crate::audit::AuditContext>>,
            ) -> crate::Exec<'_> {
                crate::Exec::Inner(crate::exec::Inner::new(crate::exec::InnerConn::$variant(conn), audit))
            }

            fn write_condition(
                condition: &dyn crate::query::DynCondition,
                table: &'static crate::schema::TableMeta,
                column: &'static str,
                w: &mut crate::repo::WhereWriter<'_, Self>,
            ) {
                condition.$write(table, column, w)
            }
        }
    };
}

backend!(
    /// PostgreSQL, through sqlx-postgres.
    Pg, "postgres", sqlx::Postgres, Dialect::Postgres, write_postgres, Postgres, |_result| None
);
backend!(
    /// MySQL and MariaDB, through sqlx-mysql.
    MySql, "mysql", sqlx::MySql, Dialect::MySql, write_mysql, MySql, |result| Some(result.last_insert_id())
);
backend!(
    /// SQLite, through sqlx-sqlite.
    Sqlite, "sqlite", sqlx::Sqlite, Dialect::Sqlite, write_sqlite, Sqlite, |result| u64::try_from(result.last_insert_rowid()).ok()
);
