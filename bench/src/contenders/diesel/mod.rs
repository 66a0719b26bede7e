//! Diesel 2.3: diesel-async on PostgreSQL (an async server is where its
//! users reach for it), synchronous Diesel on SQLite and, with the
//! `diesel-mysql` feature, on MySQL/MariaDB. Queries use the DSL with
//! `Selectable` structs, `belonging_to` + `grouped_by` for associations and
//! multi-row `insert_into(…).values(&vec)`.

mod pg_async;
pub mod schema;
mod sync;

use diesel::SqliteConnection;
use diesel::r2d2::{ConnectionManager, Pool};

use self::schema::{Post, Tree, User};
use crate::Result;
use crate::contender::Contender;
use crate::durability::Durability;
use crate::model::{NewUser, SearchParams};
use crate::target::{Backend, Target};

/// The Diesel contender: a pool of the connection type for the backend.
pub enum Diesel {
    Postgres(pg_async::PgPool),
    Sqlite(Pool<ConnectionManager<SqliteConnection>>),
    #[cfg(feature = "diesel-mysql")]
    MySql(Pool<ConnectionManager<diesel::MysqlConnection>>),
}

/// Runs `$body` on a synchronous connection `$conn` checked out of the
/// pool (the PostgreSQL arm awaits diesel-async instead).
macro_rules! sync_call {
    ($pool:expr, $conn:ident => $body:expr) => {{
        let mut pooled = $pool.get()?;
        let $conn = &mut *pooled;
        $body
    }};
}

impl Diesel {
    /// Rows per multi-row insert: the backend's bind limit, two values a
    /// row.
    fn rows_per_statement(&self) -> usize {
        let backend = match self {
            Diesel::Postgres(_) => Backend::Postgres,
            Diesel::Sqlite(_) => Backend::Sqlite,
            #[cfg(feature = "diesel-mysql")]
            Diesel::MySql(_) => Backend::MySql,
        };
        backend.bind_limit() / 2
    }
}

impl Contender for Diesel {
    const NAME: &'static str = "diesel";
    type User = User;
    type Joined = Vec<(User, Option<Post>)>;
    type Loaded = Tree;
    type Page = (Vec<User>, i64);

    async fn connect(target: &Target) -> Result<Option<Self>> {
        Ok(match target.backend {
            Backend::Postgres => Some(Diesel::Postgres(pg_async::pool(&target.url)?)),
            Backend::Sqlite => Some(Diesel::Sqlite(sync::sqlite_pool(target.sqlite_path())?)),
            #[cfg(feature = "diesel-mysql")]
            Backend::MySql => Some(Diesel::MySql(sync::mysql_pool(&target.url)?)),
            #[cfg(not(feature = "diesel-mysql"))]
            Backend::MySql => None,
        })
    }

    async fn close(self) {
        match self {
            Diesel::Postgres(pool) => pool.close(),
            // r2d2 closes its connections when the pool is dropped.
            Diesel::Sqlite(pool) => drop(pool),
            #[cfg(feature = "diesel-mysql")]
            Diesel::MySql(pool) => drop(pool),
        }
    }

    async fn durability(&self) -> Result<Durability> {
        match self {
            Diesel::Postgres(pool) => pg_async::durability(pool).await,
            Diesel::Sqlite(pool) => sync_call!(pool, c => sync::sqlite::durability(c)),
            #[cfg(feature = "diesel-mysql")]
            Diesel::MySql(pool) => sync_call!(pool, c => sync::mysql::durability(c)),
        }
    }

    async fn all_users(&self) -> Result<Vec<User>> {
        match self {
            Diesel::Postgres(pool) => pg_async::all_users(pool).await,
            Diesel::Sqlite(pool) => sync_call!(pool, c => Ok(sync::sqlite::all_users(c)?)),
            #[cfg(feature = "diesel-mysql")]
            Diesel::MySql(pool) => sync_call!(pool, c => Ok(sync::mysql::all_users(c)?)),
        }
    }

    async fn user_by_id(&self, id: i32) -> Result<Option<User>> {
        match self {
            Diesel::Postgres(pool) => pg_async::user_by_id(pool, id).await,
            Diesel::Sqlite(pool) => {
                sync_call!(pool, c => Ok(sync::sqlite::user_by_id(c, id)?))
            }
            #[cfg(feature = "diesel-mysql")]
            Diesel::MySql(pool) => sync_call!(pool, c => Ok(sync::mysql::user_by_id(c, id)?)),
        }
    }

    async fn users_with_posts(&self, hair_color: &str) -> Result<Vec<(User, Option<Post>)>> {
        match self {
            Diesel::Postgres(pool) => pg_async::users_with_posts(pool, hair_color).await,
            Diesel::Sqlite(pool) => {
                sync_call!(pool, c => Ok(sync::sqlite::users_with_posts(c, hair_color)?))
            }
            #[cfg(feature = "diesel-mysql")]
            Diesel::MySql(pool) => {
                sync_call!(pool, c => Ok(sync::mysql::users_with_posts(c, hair_color)?))
            }
        }
    }

    async fn users_posts_comments(&self) -> Result<Tree> {
        match self {
            Diesel::Postgres(pool) => pg_async::users_posts_comments(pool).await,
            Diesel::Sqlite(pool) => {
                sync_call!(pool, c => Ok(sync::sqlite::users_posts_comments(c)?))
            }
            #[cfg(feature = "diesel-mysql")]
            Diesel::MySql(pool) => {
                sync_call!(pool, c => Ok(sync::mysql::users_posts_comments(c)?))
            }
        }
    }

    async fn insert_users(&self, users: &[NewUser]) -> Result<()> {
        match self {
            Diesel::Postgres(pool) => pg_async::insert_users(pool, users).await,
            Diesel::Sqlite(pool) => {
                sync_call!(pool, c => Ok(sync::sqlite::insert_users(c, users)?))
            }
            #[cfg(feature = "diesel-mysql")]
            Diesel::MySql(pool) => {
                sync_call!(pool, c => Ok(sync::mysql::insert_users(c, users)?))
            }
        }
    }

    async fn bulk_insert_users(&self, users: &[NewUser]) -> Result<()> {
        let rows = self.rows_per_statement();
        match self {
            Diesel::Postgres(pool) => pg_async::bulk_insert_users(pool, users, rows).await?,
            Diesel::Sqlite(pool) => {
                sync_call!(pool, c => sync::sqlite::bulk_insert_users(c, users, rows)?)
            }
            #[cfg(feature = "diesel-mysql")]
            Diesel::MySql(pool) => {
                sync_call!(pool, c => sync::mysql::bulk_insert_users(c, users, rows)?)
            }
        }
        Ok(())
    }

    async fn update_user(&self, id: i32, name: &str) -> Result<User> {
        match self {
            Diesel::Postgres(pool) => pg_async::update_user(pool, id, name).await,
            Diesel::Sqlite(pool) => {
                sync_call!(pool, c => Ok(sync::sqlite::update_user(c, id, name)?))
            }
            #[cfg(feature = "diesel-mysql")]
            Diesel::MySql(pool) => {
                sync_call!(pool, c => Ok(sync::mysql::update_user(c, id, name)?))
            }
        }
    }

    async fn search_users(&self, params: &SearchParams) -> Result<(Vec<User>, i64)> {
        match self {
            Diesel::Postgres(pool) => pg_async::search_users(pool, params).await,
            Diesel::Sqlite(pool) => {
                sync_call!(pool, c => Ok(sync::sqlite::search_users(c, params)?))
            }
            #[cfg(feature = "diesel-mysql")]
            Diesel::MySql(pool) => {
                sync_call!(pool, c => Ok(sync::mysql::search_users(c, params)?))
            }
        }
    }
}
