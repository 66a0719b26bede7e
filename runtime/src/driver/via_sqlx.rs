//! The sqlx drivers: PostgreSQL, MySQL/MariaDB and SQLite through sqlx.
//!
//! One macro writes the three [`Backend`] implementations; what differs
//! (the key of the last insert, `COPY`, MySQL's date-time binding and
//! packet size) is passed in as closures.

#[allow(unused_imports)] // a build with no sqlx backend uses neither
use sqlx::{AssertSqlSafe, Row as _};
#[allow(unused_imports)]
use sqlx_core::transaction::TransactionManager as _;

#[cfg(feature = "postgres")]
use super::CopyRows;
use super::{Backend, BindError, ColumnValue, Done, DriverError, SqlText};
use crate::backend::Dialect;

macro_rules! sqlx_backend {
    ($(#[$doc:meta])* $name:ident, $feature:literal, $db:ty, $dialect:expr,
     |$result:ident| $last_id:expr,
     |$cc:ident, $cs:ident, $cd:ident| $copy:expr,
     |$vv:ident, $vr:ident| $copy_value:expr,
     |$ev:ident| $encoded_len:expr,
     |$ba:ident, $bv:ident| $bind_ref:expr,
     |$oa:ident, $ov:ident| $bind_owned:expr,
     |$aa:ident, $av:ident| $bind_array:expr) => {
        $(#[$doc])*
        #[cfg(feature = $feature)]
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        #[cfg(feature = $feature)]
        impl Backend for $name {
            const DIALECT: Dialect = $dialect;
            type Conn = <$db as sqlx::Database>::Connection;
            type Row = <$db as sqlx::Database>::Row;
            type Args = <$db as sqlx::Database>::Arguments;

            fn is_null(row: &Self::Row, index: usize) -> Result<bool, DriverError> {
                use sqlx::ValueRef as _;
                Ok(row.try_get_raw(index)?.is_null())
            }

            fn bind_text(args: &mut Self::Args, text: String) -> Result<(), BindError> {
                sqlx::Arguments::add(args, text)
            }

            fn bind_i64(args: &mut Self::Args, n: i64) -> Result<(), BindError> {
                sqlx::Arguments::add(args, n)
            }

            fn bind_array<T: ColumnValue<Self>>(
                $aa: &mut Self::Args,
                $av: &Vec<T>,
            ) -> Option<Result<(), BindError>> {
                $bind_array
            }

            fn args_len(args: &Self::Args) -> usize {
                sqlx::Arguments::len(args)
            }

            fn reserve_args(args: &mut Self::Args, values: usize) {
                sqlx::Arguments::reserve(args, values, 0);
            }

            fn execute<'c>(
                conn: &'c mut Self::Conn,
                sql: SqlText,
                args: Self::Args,
            ) -> impl Future<Output = Result<Done, DriverError>> + Send + 'c {
                async move {
                    let $result = sqlx::query_with(sql_str(sql), args).execute(conn).await?;
                    Ok(Done { rows_affected: $result.rows_affected(), last_insert_id: $last_id })
                }
            }

            fn fetch_optional<'c>(
                conn: &'c mut Self::Conn,
                sql: SqlText,
                args: Self::Args,
            ) -> impl Future<Output = Result<Option<Self::Row>, DriverError>> + Send + 'c {
                sqlx::query_with(sql_str(sql), args).fetch_optional(conn)
            }

            fn fetch_all<'c>(
                conn: &'c mut Self::Conn,
                sql: SqlText,
                args: Self::Args,
            ) -> impl Future<Output = Result<Vec<Self::Row>, DriverError>> + Send + 'c {
                sqlx::query_with(sql_str(sql), args).fetch_all(conn)
            }

            fn fetch<'c>(
                conn: &'c mut Self::Conn,
                sql: SqlText,
                args: Self::Args,
            ) -> impl futures_core::Stream<Item = Result<Self::Row, DriverError>> + Send + 'c {
                sqlx::query_with(sql_str(sql), args).fetch(conn)
            }

            fn execute_script<'c>(
                conn: &'c mut Self::Conn,
                sql: SqlText,
            ) -> impl Future<Output = Result<(), DriverError>> + Send + 'c {
                async move {
                    sqlx::raw_sql(sql_str(sql)).execute(conn).await?;
                    Ok(())
                }
            }

            fn begin<'c>(
                conn: &'c mut Self::Conn,
                statement: Option<SqlText>,
            ) -> impl Future<Output = Result<(), DriverError>> + Send + 'c {
                let statement = statement.map(sql_str);
                <$db as sqlx::Database>::TransactionManager::begin(conn, statement)
            }

            fn commit<'c>(conn: &'c mut Self::Conn) -> impl Future<Output = Result<(), DriverError>> + Send + 'c {
                <$db as sqlx::Database>::TransactionManager::commit(conn)
            }

            fn rollback<'c>(conn: &'c mut Self::Conn) -> impl Future<Output = Result<(), DriverError>> + Send + 'c {
                <$db as sqlx::Database>::TransactionManager::rollback(conn)
            }

            fn start_rollback(conn: &mut Self::Conn) {
                <$db as sqlx::Database>::TransactionManager::start_rollback(conn)
            }

            fn transaction_depth(conn: &Self::Conn) -> usize {
                <$db as sqlx::Database>::TransactionManager::get_transaction_depth(conn)
            }

            fn copy_in<'c>(
                $cc: &'c mut Self::Conn,
                $cs: String,
                $cd: Vec<u8>,
            ) -> impl Future<Output = Result<u64, DriverError>> + Send + 'c {
                async move { $copy }
            }
        }

        #[cfg(feature = $feature)]
        impl<T> ColumnValue<$name> for T
        where
            T: for<'q> sqlx::Encode<'q, $db>
                + for<'r> sqlx::Decode<'r, $db>
                + sqlx::Type<$db>
                + Send
                + Sync
                + 'static,
        {
            fn bind_unchecked(&self, $ba: &mut <$name as Backend>::Args) -> Result<(), BindError> {
                let $bv = self;
                $bind_ref
            }

            fn bind_owned_unchecked(self, $oa: &mut <$name as Backend>::Args) -> Result<(), BindError> {
                let $ov = self;
                $bind_owned
            }

            fn decode(row: &<$name as Backend>::Row, index: usize) -> Result<Self, DriverError> {
                row.try_get(index)
            }

            fn encoded_len(&self) -> usize {
                let $ev = self;
                $encoded_len
            }

            fn copy_value(&self, $vr: &mut super::CopyRows) -> Result<(), BindError> {
                let $vv = self;
                $copy_value
            }
        }
    };
}

sqlx_backend!(
    /// PostgreSQL, through sqlx-postgres.
    Pg, "postgres", sqlx::Postgres, Dialect::Postgres,
    |_result| None,
    |conn, statement, data| {
        let mut copy = conn.copy_in_raw(&statement).await?;
        copy.send(data).await?;
        copy.finish().await
    },
    |value, rows| push_pg(rows, value),
    |_value| 0,
    |args, value| sqlx::Arguments::add(args, value),
    |args, value| sqlx::Arguments::add(args, value),
    |args, values| pg_array(args, values)
);
sqlx_backend!(
    /// MySQL and MariaDB, through sqlx-mysql.
    MySql, "mysql", sqlx::MySql, Dialect::MySql,
    |result| Some(result.last_insert_id()),
    |_conn, _statement, _data| Err(DriverError::Protocol("COPY is PostgreSQL's".into())),
    |_value, _rows| Err("COPY is PostgreSQL's".into()),
    |value| {
        let mut buf = Vec::new();
        sqlx::Encode::<sqlx::MySql>::encode_by_ref(value, &mut buf).map_or(0, |_| buf.len())
    },
    |args, value| bind_mysql(args, value),
    |args, value| bind_mysql(args, &value),
    |_args, _values| None
);
sqlx_backend!(
    /// SQLite, through sqlx-sqlite.
    Sqlite, "sqlx-sqlite", sqlx::Sqlite, Dialect::Sqlite,
    |result| u64::try_from(result.last_insert_rowid()).ok(),
    |_conn, _statement, _data| Err(DriverError::Protocol("COPY is PostgreSQL's".into())),
    |_value, _rows| Err("COPY is PostgreSQL's".into()),
    |_value| 0,
    |args, value| sqlx::Arguments::add(args, value),
    |args, value| sqlx::Arguments::add(args, value),
    |_args, _values| None
);

/// The text as sqlx takes it: entable's statements are built from checked
/// identifiers and placeholders only, never from values.
fn sql_str(sql: SqlText) -> sqlx::SqlStr {
    use sqlx::SqlSafeStr as _;
    match sql {
        SqlText::Static(s) => s.into_sql_str(),
        SqlText::Owned(s) => AssertSqlSafe(s).into_sql_str(),
        SqlText::Shared(s) => AssertSqlSafe(s).into_sql_str(),
    }
}

/// Binds `values` as one PostgreSQL array when they are of a type keys
/// and foreign keys have (integers, text, UUIDs): `= ANY($1)` then has one
/// text (one prepared statement) for any number of values. Other types are
/// left to an `IN` list.
#[cfg(feature = "postgres")]
#[allow(clippy::ptr_arg)] // a `Vec` is `Any`; a slice is not
fn pg_array<T: 'static>(
    args: &mut sqlx::postgres::PgArguments,
    values: &Vec<T>,
) -> Option<Result<(), BindError>> {
    use sqlx::Arguments as _;
    let any = values as &dyn std::any::Any;
    macro_rules! array_of {
        ($($ty:ty),*) => {
            $(if let Some(values) = any.downcast_ref::<Vec<$ty>>() {
                return Some(args.add(values.as_slice()));
            })*
        };
    }
    array_of!(i16, i32, i64, String, uuid::Uuid);
    None
}

/// Appends one field to a `COPY` row: `value` in PostgreSQL's binary form.
#[cfg(feature = "postgres")]
fn push_pg<T: for<'q> sqlx::Encode<'q, sqlx::Postgres>>(
    rows: &mut CopyRows,
    value: &T,
) -> Result<(), BindError> {
    // Some encoders (JSON) leave a patch for bind-time type resolution
    // in the buffer, which clearing the bytes keeps: start afresh now
    // and then, so a long load does not pile them up.
    rows.values = rows.values.wrapping_add(1);
    if rows.values.is_multiple_of(4096) {
        rows.scratch = Default::default();
    }
    rows.scratch.clear();
    let null = sqlx::Encode::<sqlx::Postgres>::encode_by_ref(value, &mut rows.scratch)?;
    if null.is_null() {
        rows.data.extend_from_slice(&(-1i32).to_be_bytes());
    } else {
        let len = i32::try_from(rows.scratch.len())?;
        rows.data.extend_from_slice(&len.to_be_bytes());
        rows.data.extend_from_slice(&rows.scratch);
    }
    rows.fields = rows
        .fields
        .checked_add(1)
        .ok_or("too many fields in one row")?;
    Ok(())
}

/// Binds `value` on MySQL/MariaDB. sqlx sends `DateTime<Utc>` and
/// `OffsetDateTime` as `TIMESTAMP` parameters, which MariaDB converts
/// through the 1970–2038 TIMESTAMP range (storing NULL outside it); entable's
/// columns are `DATETIME(6)`, so they are sent as the UTC date-time
/// without zone instead: the same bytes, typed `DATETIME`.
#[cfg(feature = "mysql")]
fn bind_mysql<T>(args: &mut sqlx::mysql::MySqlArguments, value: &T) -> Result<(), BindError>
where
    T: for<'q> sqlx::Encode<'q, sqlx::MySql> + sqlx::Type<sqlx::MySql> + Send + 'static,
{
    use sqlx::Arguments as _;
    #[cfg(any(feature = "chrono", feature = "time"))]
    let any = value as &dyn std::any::Any;
    #[cfg(feature = "chrono")]
    {
        type Utc = chrono::DateTime<chrono::Utc>;
        if let Some(at) = any.downcast_ref::<Utc>() {
            return args.add(at.naive_utc());
        }
        if let Some(at) = any.downcast_ref::<Option<Utc>>() {
            return args.add(at.map(|at| at.naive_utc()));
        }
    }
    #[cfg(feature = "time")]
    {
        let naive = |at: &time::OffsetDateTime| {
            at.checked_to_offset(time::UtcOffset::UTC)
                .map(|utc| time::PrimitiveDateTime::new(utc.date(), utc.time()))
                .ok_or("the date-time is out of range in UTC")
        };
        if let Some(at) = any.downcast_ref::<time::OffsetDateTime>() {
            return args.add(naive(at)?);
        }
        if let Some(at) = any.downcast_ref::<Option<time::OffsetDateTime>>() {
            return args.add(at.as_ref().map(naive).transpose()?);
        }
    }
    args.add(value)
}
