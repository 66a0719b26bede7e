//! How a transaction begins: isolation level per dialect.

#[cfg(any(feature = "postgres", feature = "mysql"))]
use sqlx::AssertSqlSafe;

use crate::error::Result;

/// Options for [`Db::begin_with`](crate::Db::begin_with),
/// [`Db::transaction_with`](crate::Db::transaction_with) and
/// [`Db::run_tx`](crate::Db::run_tx).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxOptions {
    /// The isolation level; `None` keeps the server's default (PostgreSQL:
    /// read committed; MySQL/MariaDB: repeatable read).
    pub isolation: Option<Isolation>,
}

impl TxOptions {
    /// Options with this isolation level.
    pub fn isolation(isolation: Isolation) -> Self {
        TxOptions {
            isolation: Some(isolation),
        }
    }
}

/// SQL isolation levels.
///
/// PostgreSQL begins with `BEGIN ISOLATION LEVEL …`; MySQL/MariaDB runs
/// `SET TRANSACTION ISOLATION LEVEL …` (which applies to the next
/// transaction only) before `START TRANSACTION`. SQLite transactions are
/// always serializable, more than any level asks; `Serializable` there
/// begins with `BEGIN IMMEDIATE`, taking the write lock at once so that two
/// writers wait for each other instead of one failing with `SQLITE_BUSY`
/// halfway through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Isolation {
    /// Dirty reads allowed (PostgreSQL treats it as read committed).
    ReadUncommitted,
    /// Each statement sees what was committed before it began.
    ReadCommitted,
    /// The transaction sees one snapshot throughout.
    RepeatableRead,
    /// As if transactions ran one after another; conflicting ones fail
    /// with a serialization error (retried by [`Db::run_tx`](crate::Db::run_tx)).
    Serializable,
}

impl Isolation {
    #[cfg(any(feature = "postgres", feature = "mysql"))]
    fn sql(self) -> &'static str {
        match self {
            Isolation::ReadUncommitted => "READ UNCOMMITTED",
            Isolation::ReadCommitted => "READ COMMITTED",
            Isolation::RepeatableRead => "REPEATABLE READ",
            Isolation::Serializable => "SERIALIZABLE",
        }
    }
}

impl TxOptions {
    #[cfg(feature = "postgres")]
    pub(super) async fn begin_postgres(
        self,
        pool: &sqlx::PgPool,
    ) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        Ok(match self.isolation {
            None => pool.begin().await?,
            Some(level) => {
                let statement = format!("BEGIN ISOLATION LEVEL {}", level.sql());
                pool.begin_with(AssertSqlSafe(statement)).await?
            }
        })
    }

    #[cfg(feature = "mysql")]
    pub(super) async fn begin_mysql(
        self,
        pool: &sqlx::MySqlPool,
    ) -> Result<sqlx::Transaction<'static, sqlx::MySql>> {
        let Some(level) = self.isolation else {
            return Ok(pool.begin().await?);
        };
        let mut conn = pool.acquire().await?;
        let set = format!("SET TRANSACTION ISOLATION LEVEL {}", level.sql());
        sqlx::raw_sql(AssertSqlSafe(set))
            .execute(&mut *conn)
            .await?;
        // `Transaction::begin` is sqlx's own path for `Pool::begin`; public
        // but hidden. sqlx is pinned to one version, so a change is seen.
        Ok(sqlx::Transaction::begin(conn, None).await?)
    }

    #[cfg(feature = "sqlite")]
    pub(super) async fn begin_sqlite(
        self,
        pool: &sqlx::SqlitePool,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(match self.isolation {
            Some(Isolation::Serializable) => pool.begin_with("BEGIN IMMEDIATE").await?,
            _ => pool.begin().await?,
        })
    }
}
