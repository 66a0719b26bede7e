//! The drivers: entable's own traits over a database connection, and the
//! one path every statement takes.
//!
//! A driver is one implementation of [`Backend`]: its connection, row and
//! bind-argument types, how a [`ColumnValue`] binds into its arguments and
//! decodes from its rows, and the statement calls ([`Backend::execute`],
//! [`Backend::fetch_optional`], [`Backend::fetch_all`], [`Backend::fetch`]),
//! transaction control and the bulk paths. Generated code is generic over
//! `B: Backend` and names no driver crate: the bounds it needs are bundled
//! in [`ColumnValue`].
//!
//! The rest of the crate never calls a driver's statement methods itself:
//! it goes through [`statement`] (`statement::execute::<B>(…)` and its
//! siblings), the one place every statement passes, where instrumentation
//! is written once.
//!
//! Today's drivers are sqlx's (`via_sqlx.rs`): PostgreSQL, MySQL/MariaDB and
//! SQLite; and, behind the `rusqlite` feature (`SqliteDriver::Rusqlite`),
//! `lite`: SQLite through rusqlite, synchronously. Errors travel as `sqlx::Error` for every driver (a driver
//! without sqlx reports through `sqlx::Error::Database`, whose
//! `DatabaseError` trait carries the kind, code and constraint the error
//! classification reads).

mod copy;
#[cfg(feature = "rusqlite")]
pub mod lite;
pub mod nested;
mod probe;
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) mod server_pool;
pub mod statement;
#[cfg(any(feature = "postgres", feature = "mysql", feature = "sqlx-sqlite"))]
mod via_sqlx;

use futures_core::Stream;

use crate::backend::Dialect;

pub use copy::CopyRows;
#[cfg(feature = "rusqlite")]
pub use lite::Lite;
pub use nested::Nested;
#[cfg(feature = "mysql")]
pub use via_sqlx::MySql;
#[cfg(feature = "postgres")]
pub use via_sqlx::Pg;
#[cfg(feature = "sqlx-sqlite")]
pub use via_sqlx::Sqlite;

/// The row type of a backend.
pub type Row<B> = <B as Backend>::Row;
/// The bind-argument buffer of a backend.
pub type Args<B> = <B as Backend>::Args;
/// An error while binding a value.
pub type BindError = ::sqlx::error::BoxDynError;
/// An error of a driver.
pub type DriverError = ::sqlx::Error;

/// Where the rusqlite driver runs a call (all the statements of one
/// repository call). SQLite works synchronously: a statement holds the
/// thread it runs on until it is done.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum LiteThreading {
    /// On a multi-threaded tokio runtime, the call runs whole inside
    /// [`tokio::task::block_in_place`]: the runtime first hands the
    /// worker's other tasks to another thread, so a long statement never
    /// stalls them. One hand-off per call, never per statement or row.
    /// Where that is not allowed (a current-thread runtime, a `LocalSet`,
    /// no runtime), the call runs inline. While the call runs, other
    /// futures of the same task (the other arms of a `join!`) wait.
    #[default]
    BlockInPlace,
    /// On the thread that polls the call, with no hand-off: the cheapest
    /// for short calls, and the mode of command-line tools and
    /// current-thread runtimes. A long statement holds that worker thread
    /// (on a current-thread runtime, every task) until it is done.
    Inline,
}

/// SQLite's `synchronous` setting on the rusqlite driver's connections:
/// when a commit waits for the disk. The pool opens files in WAL mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum LiteSync {
    /// SQLite's default: a commit returns once it is on disk.
    #[default]
    Full,
    /// In WAL mode, the log is synced at checkpoints only: a power loss
    /// (not a crash of the process) can lose the last commits, never
    /// corrupt the database. Much cheaper per commit.
    Normal,
}

impl LiteSync {
    /// The pragma's value.
    pub const fn as_str(self) -> &'static str {
        match self {
            LiteSync::Full => "FULL",
            LiteSync::Normal => "NORMAL",
        }
    }
}

/// The text of a statement: built for this call, or fixed and shared
/// (the statements cached per entity), without copying either.
#[derive(Debug, Clone)]
pub enum SqlText {
    /// A string literal.
    Static(&'static str),
    /// Built for this call.
    Owned(String),
    /// Shared with a cache.
    Shared(std::sync::Arc<str>),
}

impl SqlText {
    /// The text.
    pub fn as_str(&self) -> &str {
        match self {
            SqlText::Static(s) => s,
            SqlText::Owned(s) => s,
            SqlText::Shared(s) => s,
        }
    }
}

impl From<&'static str> for SqlText {
    fn from(s: &'static str) -> Self {
        SqlText::Static(s)
    }
}

impl From<String> for SqlText {
    fn from(s: String) -> Self {
        SqlText::Owned(s)
    }
}

impl From<std::sync::Arc<str>> for SqlText {
    fn from(s: std::sync::Arc<str>) -> Self {
        SqlText::Shared(s)
    }
}

/// What an `execute` reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Done {
    /// Rows inserted, updated or deleted.
    pub rows_affected: u64,
    /// The key the database generated for the last inserted row, where the
    /// dialect reports it that way (MySQL; SQLite's rowid).
    pub last_insert_id: Option<u64>,
}

/// A database entable runs statements on: one driver.
pub trait Backend: Send + Sync + Sized + 'static {
    /// Its SQL dialect.
    const DIALECT: Dialect;
    /// A live connection.
    type Conn: Send;
    /// One row of a result.
    type Row: Send + Sync + 'static;
    /// Bound values of one statement.
    type Args: Default + Send;

    /// Decodes column `index` of `row`.
    fn get<T: ColumnValue<Self>>(row: &Self::Row, index: usize) -> Result<T, DriverError> {
        T::decode(row, index)
    }

    /// Whether column `index` of `row` is SQL NULL (a joined table's row
    /// that is not there).
    fn is_null(row: &Self::Row, index: usize) -> Result<bool, DriverError>;

    /// Binds a text value (search patterns).
    fn bind_text(args: &mut Self::Args, text: String) -> Result<(), BindError>;

    /// Binds an integer (limits, offsets, versions).
    fn bind_i64(args: &mut Self::Args, n: i64) -> Result<(), BindError>;

    /// Binds `values` as one array value where the driver has arrays of
    /// their type (PostgreSQL: `= ANY($1)`, one statement text for any
    /// number of values); `None` where it does not, and the caller writes
    /// an `IN` list. The values are already checked.
    #[doc(hidden)]
    fn bind_array<T: ColumnValue<Self>>(
        args: &mut Self::Args,
        values: &Vec<T>,
    ) -> Option<Result<(), BindError>> {
        let _ = (args, values);
        None
    }

    /// How many values `args` holds.
    fn args_len(args: &Self::Args) -> usize;

    /// Makes room in `args` for `values` more values.
    fn reserve_args(args: &mut Self::Args, values: usize);

    /// Runs a statement that returns no rows.
    #[doc(hidden)]
    fn execute<'c>(
        conn: &'c mut Self::Conn,
        sql: SqlText,
        args: Self::Args,
    ) -> impl Future<Output = Result<Done, DriverError>> + Send + 'c;

    /// Runs a statement; its first row, if any.
    #[doc(hidden)]
    fn fetch_optional<'c>(
        conn: &'c mut Self::Conn,
        sql: SqlText,
        args: Self::Args,
    ) -> impl Future<Output = Result<Option<Self::Row>, DriverError>> + Send + 'c;

    /// Runs a statement; all its rows.
    #[doc(hidden)]
    fn fetch_all<'c>(
        conn: &'c mut Self::Conn,
        sql: SqlText,
        args: Self::Args,
    ) -> impl Future<Output = Result<Vec<Self::Row>, DriverError>> + Send + 'c;

    /// Runs a statement; its rows as they arrive.
    #[doc(hidden)]
    fn fetch<'c>(
        conn: &'c mut Self::Conn,
        sql: SqlText,
        args: Self::Args,
    ) -> impl Stream<Item = Result<Self::Row, DriverError>> + Send + 'c;

    /// Runs SQL without bound values, possibly several statements (DDL,
    /// transaction control).
    #[doc(hidden)]
    fn execute_script<'c>(
        conn: &'c mut Self::Conn,
        sql: SqlText,
    ) -> impl Future<Output = Result<(), DriverError>> + Send + 'c;

    /// Opens a transaction, or a savepoint inside the open one;
    /// `statement` replaces the plain `BEGIN` (only when none is open).
    #[doc(hidden)]
    fn begin<'c>(
        conn: &'c mut Self::Conn,
        statement: Option<SqlText>,
    ) -> impl Future<Output = Result<(), DriverError>> + Send + 'c;

    /// Commits the innermost open level (or releases its savepoint).
    #[doc(hidden)]
    fn commit<'c>(
        conn: &'c mut Self::Conn,
    ) -> impl Future<Output = Result<(), DriverError>> + Send + 'c;

    /// Rolls back the innermost open level.
    #[doc(hidden)]
    fn rollback<'c>(
        conn: &'c mut Self::Conn,
    ) -> impl Future<Output = Result<(), DriverError>> + Send + 'c;

    /// Queues a rollback of the innermost level, sent before the
    /// connection's next use: for `Drop`, which cannot wait.
    #[doc(hidden)]
    fn start_rollback(conn: &mut Self::Conn);

    /// How many transaction levels are open (0: none).
    #[doc(hidden)]
    fn transaction_depth(conn: &Self::Conn) -> usize;

    /// Sends `data`, a whole binary `COPY` stream, with `statement`
    /// (`COPY … FROM STDIN (FORMAT binary)`); returns the rows copied.
    /// PostgreSQL only: elsewhere an error.
    #[doc(hidden)]
    fn copy_in<'c>(
        conn: &'c mut Self::Conn,
        statement: String,
        data: Vec<u8>,
    ) -> impl Future<Output = Result<u64, DriverError>> + Send + 'c;
}

/// A Rust value that binds to and decodes from a column of backend `B`.
/// Each driver implements it for every type it can store (the sqlx drivers:
/// every owned type sqlx encodes and decodes there); `'static` lets binding
/// check values by type (see [`values`](crate::backend::values)).
pub trait ColumnValue<B: Backend>: Send + Sync + Sized + 'static {
    /// Appends the value to `args`, unchecked (see [`bind`]).
    #[doc(hidden)]
    fn bind_unchecked(&self, args: &mut B::Args) -> Result<(), BindError>;
    /// [`bind_unchecked`](Self::bind_unchecked) taking the value by value.
    #[doc(hidden)]
    fn bind_owned_unchecked(self, args: &mut B::Args) -> Result<(), BindError> {
        self.bind_unchecked(args)
    }
    /// Decodes column `index` of `row`.
    #[doc(hidden)]
    fn decode(row: &B::Row, index: usize) -> Result<Self, DriverError>;
    /// How many bytes the value takes in a statement, where that bounds a
    /// statement (MySQL's `max_allowed_packet`); 0 elsewhere.
    #[doc(hidden)]
    fn encoded_len(&self) -> usize {
        0
    }
    /// Appends the value to a binary `COPY` row. PostgreSQL only:
    /// elsewhere an error.
    #[doc(hidden)]
    fn copy_value(&self, rows: &mut CopyRows) -> Result<(), BindError> {
        let _ = rows;
        Err("COPY is PostgreSQL's".into())
    }
}

/// A row decoded as a tuple of column values, in column order.
pub trait FromColumns<B: Backend>: Sized {
    /// Decodes the row.
    fn from_columns(row: &B::Row) -> Result<Self, DriverError>;
}

macro_rules! tuple_from_columns {
    ($($T:ident $i:tt),+) => {
        impl<B: Backend, $($T: ColumnValue<B>),+> FromColumns<B> for ($($T,)+) {
            fn from_columns(row: &B::Row) -> Result<Self, DriverError> {
                Ok(($($T::decode(row, $i)?,)+))
            }
        }
    };
}
tuple_from_columns!(A 0);
tuple_from_columns!(A 0, C 1);
tuple_from_columns!(A 0, C 1, D 2);
tuple_from_columns!(A 0, C 1, D 2, E 3);
tuple_from_columns!(A 0, C 1, D 2, E 3, F 4);
tuple_from_columns!(A 0, C 1, D 2, E 3, F 4, G 5);
tuple_from_columns!(A 0, C 1, D 2, E 3, F 4, G 5, H 6);
tuple_from_columns!(A 0, C 1, D 2, E 3, F 4, G 5, H 6, I 7);

/// Appends `value` to `args`, unless a column cannot hold it exactly
/// ([`values::check`](crate::backend::values::check): NaN, NUL in text, a
/// date out of range), which is an
/// [`InvalidValue`](crate::backend::values::InvalidValue).
pub fn bind<B: Backend, T: ColumnValue<B>>(args: &mut B::Args, value: &T) -> Result<(), BindError> {
    crate::backend::values::check(B::DIALECT, value)?;
    value.bind_unchecked(args)
}

/// [`bind`] taking the value by value (it moves into `args` where the
/// driver keeps values, as SQLite's does).
pub fn bind_owned<B: Backend, T: ColumnValue<B>>(
    args: &mut B::Args,
    value: T,
) -> Result<(), BindError> {
    crate::backend::values::check(B::DIALECT, &value)?;
    value.bind_owned_unchecked(args)
}
