//! [`Conn`]: one pooled connection held across several calls.

use crate::db::{Db, Pool};
use crate::error::Result;

/// One connection taken from the pool and held until dropped: several calls
/// on `&mut conn` run on the same connection (no checkout per statement),
/// without a transaction. Dropping it returns the connection to the pool.
///
/// ```
/// # use entable::Db;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> entable::Result<()> {
/// let db = Db::connect("sqlite::memory:").await?;
/// let conn = db.acquire().await?;
/// assert_eq!(conn.dialect(), db.dialect());
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Conn {
    pub(crate) inner: Pooled,
}

#[derive(Debug)]
pub(crate) enum Pooled {
    #[cfg(feature = "postgres")]
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
    #[cfg(feature = "mysql")]
    MySql(sqlx::pool::PoolConnection<sqlx::MySql>),
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    #[allow(dead_code)]
    Never(std::convert::Infallible),
}

impl Db {
    /// Takes a connection from the pool, for several calls in a row.
    pub async fn acquire(&self) -> Result<Conn> {
        let inner = match &self.pool {
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => Pooled::Postgres(pool.acquire().await?),
            #[cfg(feature = "mysql")]
            Pool::MySql(pool) => Pooled::MySql(pool.acquire().await?),
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(pool) => Pooled::Sqlite(pool.acquire().await?),
            Pool::Never(never) => match *never {},
        };
        Ok(Conn { inner })
    }
}

impl Conn {
    /// The dialect of the connection's database.
    pub fn dialect(&self) -> crate::backend::Dialect {
        use crate::backend::Dialect;
        match &self.inner {
            #[cfg(feature = "postgres")]
            Pooled::Postgres(_) => Dialect::Postgres,
            #[cfg(feature = "mysql")]
            Pooled::MySql(_) => Dialect::MySql,
            #[cfg(feature = "sqlite")]
            Pooled::Sqlite(_) => Dialect::Sqlite,
            Pooled::Never(never) => match *never {},
        }
    }
}
