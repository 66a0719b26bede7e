//! Hand-written SQL on whichever driver a handle runs: [`RawSql`].

use crate::driver::{Args, Backend, BindError, statement};
use crate::error::{Context, Error, Result};
use crate::exec::{Exec, with_conn};
use crate::query::SqlValue;

/// A statement written by hand, for what the repositories do not cover
/// (a report, maintenance, a setting).
///
/// Values are bound as parameters, never spliced into the text. The text
/// is the caller's and is sent as written, so it uses the dialect's
/// placeholders (`$1` on PostgreSQL, `?` on MySQL and SQLite) and quoting.
/// It takes the path every repository statement takes, on every driver:
/// on `&db` (a pooled connection), `&tx` (inside the transaction) or a
/// held `&mut conn`, within the pool's statement timeout.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> entable::Result<()> {
/// use entable::{Db, RawSql};
///
/// let db = Db::connect("sqlite::memory:").await?;
/// RawSql::new("CREATE TABLE t (n INTEGER)").execute(&db).await?;
/// let inserted = RawSql::new("INSERT INTO t (n) VALUES (?), (?)")
///     .bind(1_i64)
///     .bind(2_i64)
///     .execute(&db)
///     .await?;
/// assert_eq!(inserted, 2);
/// let sum: Option<i64> = RawSql::new("SELECT SUM(n) FROM t").fetch_scalar(&db).await?;
/// assert_eq!(sum, Some(3));
/// let all: Vec<i64> = RawSql::new("SELECT n FROM t ORDER BY n").fetch_column(&db).await?;
/// assert_eq!(all, [1, 2]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct RawSql {
    sql: String,
    values: Vec<Box<dyn RawValue>>,
}

impl RawSql {
    /// A statement of `sql`, with no values bound yet.
    pub fn new(sql: impl Into<String>) -> Self {
        RawSql {
            sql: sql.into(),
            values: Vec::new(),
        }
    }

    /// Binds the next parameter: any value an entity field can hold.
    pub fn bind<T: SqlValue>(mut self, value: T) -> Self {
        self.values.push(Box::new(value));
        self
    }

    /// Runs the statement; the rows it inserted, updated or deleted.
    #[track_caller]
    pub fn execute<'a>(
        self,
        exec: impl Into<Exec<'a>>,
    ) -> impl Future<Output = Result<u64>> + Send + 'a {
        crate::observe::site::located({
            #[allow(unused_mut)]
            let mut exec = exec.into();
            async move {
                let context = context("raw execute");
                with_conn!(exec, context, B, conn => {
                    let args = self.args::<B>(context)?;
                    let done = statement::execute::<B>(&mut *conn, self.sql, args)
                        .await
                        .map_err(|e| Error::from_statement(e, context, B::DIALECT))?;
                    Ok(done.rows_affected)
                })
            }
        })
    }

    /// Runs the statement; the first column of its first row, `None` when
    /// it returns no row (an `Option<T>` reads a NULL as `Some(None)`).
    #[track_caller]
    pub fn fetch_scalar<'a, T: SqlValue>(
        self,
        exec: impl Into<Exec<'a>>,
    ) -> impl Future<Output = Result<Option<T>>> + Send + 'a {
        crate::observe::site::located({
            #[allow(unused_mut)]
            let mut exec = exec.into();
            async move {
                let context = context("raw fetch_scalar");
                with_conn!(exec, context, B, conn => {
                    let classify = |e| Error::from_statement(e, context, B::DIALECT);
                    let args = self.args::<B>(context)?;
                    let row = statement::fetch_optional::<B>(&mut *conn, self.sql, args)
                        .await
                        .map_err(classify)?;
                    row.map(|row| B::get::<T>(&row, 0)).transpose().map_err(classify)
                })
            }
        })
    }

    /// Runs the statement; the first column of every row.
    #[track_caller]
    pub fn fetch_column<'a, T: SqlValue>(
        self,
        exec: impl Into<Exec<'a>>,
    ) -> impl Future<Output = Result<Vec<T>>> + Send + 'a {
        crate::observe::site::located({
            #[allow(unused_mut)]
            let mut exec = exec.into();
            async move {
                let context = context("raw fetch_column");
                with_conn!(exec, context, B, conn => {
                    let classify = |e| Error::from_statement(e, context, B::DIALECT);
                    let args = self.args::<B>(context)?;
                    let rows = statement::fetch_all::<B>(&mut *conn, self.sql.clone(), args)
                        .await
                        .map_err(classify)?;
                    rows.iter().map(|row| B::get::<T>(row, 0)).collect::<Result<Vec<T>, _>>().map_err(classify)
                })
            }
        })
    }

    fn args<B: RawBackend>(&self, context: Context) -> Result<Args<B>> {
        let mut args = Args::<B>::default();
        B::reserve_args(&mut args, self.values.len());
        for value in &self.values {
            B::bind_raw(&**value, &mut args).map_err(|e| crate::error::bind_error(context, e))?;
        }
        Ok(args)
    }
}

fn context(operation: &'static str) -> Context {
    Context {
        entity: "",
        operation,
    }
}

/// A value bound to a [`RawSql`], bindable on every driver of the build.
trait RawValue: Send + Sync + std::fmt::Debug {
    #[cfg(feature = "postgres")]
    fn bind_postgres(&self, args: &mut Args<crate::driver::Pg>) -> Result<(), BindError>;
    #[cfg(feature = "mysql")]
    fn bind_mysql(&self, args: &mut Args<crate::driver::MySql>) -> Result<(), BindError>;
    #[cfg(feature = "sqlx-sqlite")]
    fn bind_sqlite(&self, args: &mut Args<crate::driver::Sqlite>) -> Result<(), BindError>;
    #[cfg(feature = "rusqlite")]
    fn bind_lite(&self, args: &mut Args<crate::driver::Lite>) -> Result<(), BindError>;
}

impl<T: SqlValue> RawValue for T {
    #[cfg(feature = "postgres")]
    fn bind_postgres(&self, args: &mut Args<crate::driver::Pg>) -> Result<(), BindError> {
        crate::driver::bind::<crate::driver::Pg, T>(args, self)
    }
    #[cfg(feature = "mysql")]
    fn bind_mysql(&self, args: &mut Args<crate::driver::MySql>) -> Result<(), BindError> {
        crate::driver::bind::<crate::driver::MySql, T>(args, self)
    }
    #[cfg(feature = "sqlx-sqlite")]
    fn bind_sqlite(&self, args: &mut Args<crate::driver::Sqlite>) -> Result<(), BindError> {
        crate::driver::bind::<crate::driver::Sqlite, T>(args, self)
    }
    #[cfg(feature = "rusqlite")]
    fn bind_lite(&self, args: &mut Args<crate::driver::Lite>) -> Result<(), BindError> {
        crate::driver::bind::<crate::driver::Lite, T>(args, self)
    }
}

/// The dispatch from a driver to its method of [`RawValue`].
trait RawBackend: Backend {
    fn bind_raw(value: &dyn RawValue, args: &mut Args<Self>) -> Result<(), BindError>;
}

macro_rules! raw_backend {
    ($feature:literal, $backend:ident, $bind:ident) => {
        #[cfg(feature = $feature)]
        impl RawBackend for crate::driver::$backend {
            fn bind_raw(value: &dyn RawValue, args: &mut Args<Self>) -> Result<(), BindError> {
                value.$bind(args)
            }
        }
    };
}
raw_backend!("postgres", Pg, bind_postgres);
raw_backend!("mysql", MySql, bind_mysql);
raw_backend!("sqlx-sqlite", Sqlite, bind_sqlite);
raw_backend!("rusqlite", Lite, bind_lite);
