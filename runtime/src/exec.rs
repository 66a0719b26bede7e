//! Where a statement runs: on the pool of a [`Db`], or inside a [`Tx`].
//! Every repository operation takes an [`Exec`], which both convert into, so
//! callers never meet sqlx's executor generics.

use crate::db::{Db, Pool};
use crate::error::Result;

/// A transaction. Commit it with [`Tx::commit`]; dropped without commit, it
/// rolls back.
///
/// ```
/// # use entable::Db;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> entable::Result<()> {
/// let db = Db::connect("sqlite::memory:").await?;
/// let tx = db.begin().await?;
/// tx.rollback().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Tx {
    pub(crate) inner: TxInner,
}

#[derive(Debug)]
pub(crate) enum TxInner {
    #[cfg(feature = "postgres")]
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
    #[cfg(feature = "mysql")]
    MySql(sqlx::Transaction<'static, sqlx::MySql>),
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    #[allow(dead_code)]
    Never(std::convert::Infallible),
}

impl Db {
    /// Starts a transaction on one connection of the pool.
    pub async fn begin(&self) -> Result<Tx> {
        let inner = match &self.pool {
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => TxInner::Postgres(pool.begin().await?),
            #[cfg(feature = "mysql")]
            Pool::MySql(pool) => TxInner::MySql(pool.begin().await?),
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(pool) => TxInner::Sqlite(pool.begin().await?),
            Pool::Never(never) => match *never {},
        };
        Ok(Tx { inner })
    }
}

impl Tx {
    /// The dialect of the transaction's database.
    pub fn dialect(&self) -> crate::backend::Dialect {
        match &self.inner {
            #[cfg(feature = "postgres")]
            TxInner::Postgres(_) => crate::backend::Dialect::Postgres,
            #[cfg(feature = "mysql")]
            TxInner::MySql(_) => crate::backend::Dialect::MySql,
            #[cfg(feature = "sqlite")]
            TxInner::Sqlite(_) => crate::backend::Dialect::Sqlite,
            TxInner::Never(never) => match *never {},
        }
    }

    /// Makes the transaction's changes permanent.
    pub async fn commit(self) -> Result<()> {
        match self.inner {
            #[cfg(feature = "postgres")]
            TxInner::Postgres(tx) => tx.commit().await?,
            #[cfg(feature = "mysql")]
            TxInner::MySql(tx) => tx.commit().await?,
            #[cfg(feature = "sqlite")]
            TxInner::Sqlite(tx) => tx.commit().await?,
            TxInner::Never(never) => match never {},
        }
        Ok(())
    }

    /// Discards the transaction's changes.
    pub async fn rollback(self) -> Result<()> {
        match self.inner {
            #[cfg(feature = "postgres")]
            TxInner::Postgres(tx) => tx.rollback().await?,
            #[cfg(feature = "mysql")]
            TxInner::MySql(tx) => tx.rollback().await?,
            #[cfg(feature = "sqlite")]
            TxInner::Sqlite(tx) => tx.rollback().await?,
            TxInner::Never(never) => match never {},
        }
        Ok(())
    }
}

/// Where to run: `&db` (a connection from the pool, for this call only) or
/// `&mut tx` (inside the transaction).
#[derive(Debug)]
pub enum Exec<'a> {
    /// A connection from the pool.
    Db(&'a Db),
    /// The transaction's connection.
    Tx(&'a mut Tx),
}

impl Exec<'_> {
    /// The dialect statements run in.
    pub fn dialect(&self) -> crate::backend::Dialect {
        match self {
            Exec::Db(db) => db.dialect(),
            Exec::Tx(tx) => tx.dialect(),
        }
    }

    /// A shorter-lived `Exec` on the same handle or transaction, for the
    /// next statement of an operation.
    pub fn reborrow(&mut self) -> Exec<'_> {
        match self {
            Exec::Db(db) => Exec::Db(db),
            Exec::Tx(tx) => Exec::Tx(tx),
        }
    }
}

impl<'a> From<&'a Db> for Exec<'a> {
    fn from(db: &'a Db) -> Self {
        Exec::Db(db)
    }
}

impl<'a> From<&'a mut Tx> for Exec<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Exec::Tx(tx)
    }
}

/// Runs `$body` with `$B` the backend type and `$conn` a `&mut` connection of
/// it, for whichever backend `$exec` is. The body is written once and
/// compiled per backend with concrete types: no executor generics, so the
/// futures stay `Send`.
macro_rules! with_conn {
    ($exec:expr, $B:ident, $conn:ident => $body:expr) => {{
        use $crate::db::Pool;
        use $crate::exec::{Exec, TxInner};
        match $exec {
            Exec::Db(db) => match &db.pool {
                #[cfg(feature = "postgres")]
                Pool::Postgres(pool) => {
                    type $B = $crate::backend::driver::Pg;
                    let mut pooled = pool.acquire().await?;
                    let $conn: &mut sqlx::PgConnection = &mut pooled;
                    $body
                }
                #[cfg(feature = "mysql")]
                Pool::MySql(pool) => {
                    type $B = $crate::backend::driver::MySql;
                    let mut pooled = pool.acquire().await?;
                    let $conn: &mut sqlx::MySqlConnection = &mut pooled;
                    $body
                }
                #[cfg(feature = "sqlite")]
                Pool::Sqlite(pool) => {
                    type $B = $crate::backend::driver::Sqlite;
                    let mut pooled = pool.acquire().await?;
                    let $conn: &mut sqlx::SqliteConnection = &mut pooled;
                    $body
                }
                Pool::Never(never) => match *never {},
            },
            Exec::Tx(tx) => match &mut tx.inner {
                #[cfg(feature = "postgres")]
                TxInner::Postgres(t) => {
                    type $B = $crate::backend::driver::Pg;
                    let $conn: &mut sqlx::PgConnection = &mut *t;
                    $body
                }
                #[cfg(feature = "mysql")]
                TxInner::MySql(t) => {
                    type $B = $crate::backend::driver::MySql;
                    let $conn: &mut sqlx::MySqlConnection = &mut *t;
                    $body
                }
                #[cfg(feature = "sqlite")]
                TxInner::Sqlite(t) => {
                    type $B = $crate::backend::driver::Sqlite;
                    let $conn: &mut sqlx::SqliteConnection = &mut *t;
                    $body
                }
                TxInner::Never(never) => match *never {},
            },
        }
    }};
}
pub(crate) use with_conn;
