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

    /// Binds a value already checked by [`bind`] (MySQL sends zoned
    /// date-times as `DATETIME`, see [`values`](super::values)).
    #[doc(hidden)]
    fn bind_value<T: ColumnValue<Self>>(
        args: &mut Args<Self>,
        value: &T,
    ) -> Result<(), sqlx::error::BoxDynError>;

    /// [`bind_value`](Self::bind_value) taking the value by value.
    #[doc(hidden)]
    fn bind_owned<T: ColumnValue<Self>>(
        args: &mut Args<Self>,
        value: T,
    ) -> Result<(), sqlx::error::BoxDynError>;

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

    /// How many bytes `value` takes in a statement, where that bounds a
    /// statement (MySQL's `max_allowed_packet`); 0 elsewhere.
    #[doc(hidden)]
    fn encoded_len<T: ColumnValue<Self>>(value: &T) -> usize;

    /// Appends `value` to a binary `COPY` row. PostgreSQL only: elsewhere
    /// an error.
    #[doc(hidden)]
    fn copy_value<T: ColumnValue<Self>>(
        rows: &mut CopyRows,
        value: &T,
    ) -> Result<(), sqlx::error::BoxDynError>;

    /// Sends `data`, a whole binary `COPY` stream, with `statement`
    /// (`COPY … FROM STDIN (FORMAT binary)`); returns the rows copied.
    /// PostgreSQL only: elsewhere an error.
    #[doc(hidden)]
    fn copy_in<'c>(
        conn: &'c mut <Self::Database as Database>::Connection,
        statement: String,
        data: Vec<u8>,
    ) -> futures_util::future::BoxFuture<'c, Result<u64, sqlx::Error>>;

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
/// Implemented for every owned (`'static`) type sqlx can encode and decode
/// there; `'static` lets binding check values by type (see
/// [`values`](super::values)).
pub trait ColumnValue<B: Backend>:
    for<'q> sqlx::Encode<'q, B::Database>
    + for<'r> sqlx::Decode<'r, B::Database>
    + sqlx::Type<B::Database>
    + Send
    + Sync
    + 'static
{
}

impl<B: Backend, T> ColumnValue<B> for T where
    T: for<'q> sqlx::Encode<'q, B::Database>
        + for<'r> sqlx::Decode<'r, B::Database>
        + sqlx::Type<B::Database>
        + Send
        + Sync
        + 'static
{
}

/// Appends `value` to `args`, unless a column cannot hold it exactly
/// ([`values::check`](super::values::check): NaN, NUL in text, a date out
/// of range), which is an [`InvalidValue`](super::values::InvalidValue).
pub fn bind<B: Backend, T: ColumnValue<B>>(
    args: &mut Args<B>,
    value: &T,
) -> Result<(), sqlx::error::BoxDynError> {
    super::values::check(B::DIALECT, value)?;
    B::bind_value(args, value)
}

/// [`bind`] taking the value by value (it moves into `args` where the
/// driver keeps values, as SQLite's does).
pub fn bind_owned<B: Backend, T: ColumnValue<B>>(
    args: &mut Args<B>,
    value: T,
) -> Result<(), sqlx::error::BoxDynError> {
    super::values::check(B::DIALECT, &value)?;
    B::bind_owned(args, value)
}

macro_rules! backend {
    ($(#[$doc:meta])* $name:ident, $feature:literal, $db:ty, $dialect:expr, $write:ident, $variant:ident, |$result:ident| $last_id:expr, |$cc:ident, $cs:ident, $cd:ident| $copy:expr, |$vr:ident, $vv:ident| $copy_value:expr, |$ev:ident| $encoded_len:expr, |$ba:ident, $bv:ident| $bind_ref:expr, |$oa:ident, $ov:ident| $bind_owned:expr) => {
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

            fn bind_value<T: ColumnValue<Self>>($ba: &mut Args<Self>, $bv: &T) -> Result<(), sqlx::error::BoxDynError> {
                $bind_ref
            }

            fn bind_owned<T: ColumnValue<Self>>($oa: &mut Args<Self>, $ov: T) -> Result<(), sqlx::error::BoxDynError> {
                $bind_owned
            }

            fn last_insert_id($result: &QueryResult<Self>) -> Option<u64> {
                $last_id
            }

            fn encoded_len<T: ColumnValue<Self>>($ev: &T) -> usize {
                $encoded_len
            }

            fn copy_value<T: ColumnValue<Self>>(
                $vr: &mut CopyRows,
                $vv: &T,
            ) -> Result<(), sqlx::error::BoxDynError> {
                $copy_value
            }

            fn copy_in<'c>(
                $cc: &'c mut <Self::Database as Database>::Connection,
                $cs: String,
                $cd: Vec<u8>,
            ) -> futures_util::future::BoxFuture<'c, Result<u64, sqlx::Error>> {
                Box::pin(async move { $copy })
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
    Pg, "postgres", sqlx::Postgres, Dialect::Postgres, write_postgres, Postgres, |_result| None,
    |conn, statement, data| {
        let mut copy = conn.copy_in_raw(&statement).await?;
        copy.send(data).await?;
        copy.finish().await
    },
    |rows, value| rows.push_pg(value),
    |_value| 0,
    |args, value| sqlx::Arguments::add(args, value),
    |args, value| sqlx::Arguments::add(args, value)
);
backend!(
    /// MySQL and MariaDB, through sqlx-mysql.
    MySql, "mysql", sqlx::MySql, Dialect::MySql, write_mysql, MySql, |result| Some(result.last_insert_id()),
    |_conn, _statement, _data| Err(sqlx::Error::Protocol("COPY is PostgreSQL's".into())),
    |_rows, _value| Err("COPY is PostgreSQL's".into()),
    |value| {
        let mut buf = Vec::new();
        sqlx::Encode::<sqlx::MySql>::encode_by_ref(value, &mut buf).map_or(0, |_| buf.len())
    },
    |args, value| bind_mysql(args, value),
    |args, value| bind_mysql(args, &value)
);
backend!(
    /// SQLite, through sqlx-sqlite.
    Sqlite, "sqlite", sqlx::Sqlite, Dialect::Sqlite, write_sqlite, Sqlite, |result| u64::try_from(result.last_insert_rowid()).ok(),
    |_conn, _statement, _data| Err(sqlx::Error::Protocol("COPY is PostgreSQL's".into())),
    |_rows, _value| Err("COPY is PostgreSQL's".into()),
    |_value| 0,
    |args, value| sqlx::Arguments::add(args, value),
    |args, value| sqlx::Arguments::add(args, value)
);

/// Rows in PostgreSQL's binary `COPY` format, written value by value with
/// the same encoders binding uses (a bound value and a `COPY` field are
/// the same bytes behind the same length prefix).
#[derive(Debug)]
pub struct CopyRows {
    data: Vec<u8>,
    #[cfg(feature = "postgres")]
    scratch: sqlx::postgres::PgArgumentBuffer,
    row_start: usize,
    fields: i16,
    /// Values written, for resetting the scratch buffer now and then.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    values: u32,
}

impl Default for CopyRows {
    fn default() -> Self {
        let mut data = Vec::with_capacity(1 << 16);
        data.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
        data.extend_from_slice(&0i32.to_be_bytes()); // flags
        data.extend_from_slice(&0i32.to_be_bytes()); // header extension
        CopyRows {
            data,
            #[cfg(feature = "postgres")]
            scratch: Default::default(),
            row_start: 0,
            fields: 0,
            values: 0,
        }
    }
}

impl CopyRows {
    /// Starts a row.
    pub fn begin_row(&mut self) {
        self.row_start = self.data.len();
        self.fields = 0;
        self.data.extend_from_slice(&0i16.to_be_bytes());
    }

    /// Ends the row begun last: writes its field count.
    pub fn end_row(&mut self) {
        let count = self.fields.to_be_bytes();
        if let Some(slot) = self.data.get_mut(self.row_start..self.row_start + 2) {
            slot.copy_from_slice(&count);
        }
    }

    /// The whole stream, trailer included.
    pub fn finish(mut self) -> Vec<u8> {
        self.data.extend_from_slice(&(-1i16).to_be_bytes());
        self.data
    }

    /// Appends one field: `value` in PostgreSQL's binary form.
    #[cfg(feature = "postgres")]
    fn push_pg<T: ColumnValue<Pg>>(&mut self, value: &T) -> Result<(), sqlx::error::BoxDynError> {
        // Some encoders (JSON) leave a patch for bind-time type resolution
        // in the buffer, which clearing the bytes keeps: start afresh now
        // and then, so a long load does not pile them up.
        self.values = self.values.wrapping_add(1);
        if self.values.is_multiple_of(4096) {
            self.scratch = Default::default();
        }
        self.scratch.clear();
        let null = sqlx::Encode::<sqlx::Postgres>::encode_by_ref(value, &mut self.scratch)?;
        if null.is_null() {
            self.data.extend_from_slice(&(-1i32).to_be_bytes());
        } else {
            let len = i32::try_from(self.scratch.len())?;
            self.data.extend_from_slice(&len.to_be_bytes());
            self.data.extend_from_slice(&self.scratch);
        }
        self.fields = self
            .fields
            .checked_add(1)
            .ok_or("too many fields in one row")?;
        Ok(())
    }
}

impl<B: Backend> crate::repo::ValueSink<B> for CopyRows {
    fn value<T: ColumnValue<B>>(&mut self, value: &T) -> Result<(), sqlx::error::BoxDynError> {
        super::values::check(B::DIALECT, value)?;
        B::copy_value(self, value)
    }
}

/// Binds `value` on MySQL/MariaDB. sqlx sends `DateTime<Utc>` and
/// `OffsetDateTime` as `TIMESTAMP` parameters, which MariaDB converts
/// through the 1970–2038 TIMESTAMP range (storing NULL outside it); entable's
/// columns are `DATETIME(6)`, so they are sent as the UTC date-time
/// without zone instead: the same bytes, typed `DATETIME`.
#[cfg(feature = "mysql")]
fn bind_mysql<T: ColumnValue<MySql>>(
    args: &mut sqlx::mysql::MySqlArguments,
    value: &T,
) -> Result<(), sqlx::error::BoxDynError> {
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
