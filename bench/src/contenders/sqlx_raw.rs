//! sqlx by hand, as a careful user writes it: fixed SQL as string literals
//! through `query_as` (prepared once per connection and cached, sqlx's
//! default), `#[derive(FromRow)]` structs, the pool configured as entable
//! configures its own (no ping before each checkout), `= ANY($1)` for key
//! lists on PostgreSQL, and one checkout for statements that belong
//! together.

use futures_util::TryStreamExt;
use sqlx::pool::PoolOptions;
use sqlx::{MySql, QueryBuilder, Sqlite};

use crate::Result;
use crate::contender::Contender;
use crate::durability::{self, Durability};
use crate::model::{Comment, Joined, Loaded, NewUser, Page, Post, SearchParams, User};
use crate::target::{Backend, Target};

/// One pool of whichever backend the target is.
pub enum RawSqlx {
    Postgres(sqlx::PgPool),
    MySql(sqlx::MySqlPool),
    Sqlite(sqlx::SqlitePool),
}

/// Runs `$body` with `$pool` bound to the concrete pool and `$mysql` telling
/// whether placeholders are `?` (MySQL) or `$n` (PostgreSQL, SQLite: sqlx
/// numbers both). The body is compiled once per backend with concrete
/// types, as a user writing for one database would.
macro_rules! on_pool {
    ($self:expr, $pool:ident, $mysql:ident => $body:expr) => {
        match $self {
            RawSqlx::Postgres($pool) => {
                #[allow(unused_variables)]
                let $mysql = false;
                $body
            }
            RawSqlx::MySql($pool) => {
                #[allow(unused_variables)]
                let $mysql = true;
                $body
            }
            RawSqlx::Sqlite($pool) => {
                #[allow(unused_variables)]
                let $mysql = false;
                $body
            }
        }
    };
}

/// The same pool settings entable's `Db` uses, so the two differ only in
/// what runs on a checked-out connection.
pub fn pool_options<DB: sqlx::Database>() -> PoolOptions<DB> {
    PoolOptions::new()
        .max_connections(10)
        .min_connections(0)
        .test_before_acquire(false)
        .idle_timeout(std::time::Duration::from_secs(600))
        .max_lifetime(std::time::Duration::from_secs(1800))
}

const SELECT_USERS: &str = "SELECT id, name, hair_color FROM users ORDER BY id";
const SELECT_USER_PG: &str = "SELECT id, name, hair_color FROM users WHERE id = $1";
const SELECT_USER_MY: &str = "SELECT id, name, hair_color FROM users WHERE id = ?";
const JOIN_PG: &str = "SELECT u.id, u.name, u.hair_color, p.id AS post_id, p.user_id, p.title, p.body \
     FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE u.hair_color = $1 ORDER BY u.id, p.id";
const JOIN_MY: &str = "SELECT u.id, u.name, u.hair_color, p.id AS post_id, p.user_id, p.title, p.body \
     FROM users u LEFT JOIN posts p ON p.user_id = u.id WHERE u.hair_color = ? ORDER BY u.id, p.id";
const POSTS_OF_PG: &str =
    "SELECT id, user_id, title, body FROM posts WHERE user_id = ANY($1) ORDER BY id";
const COMMENTS_OF_PG: &str =
    "SELECT id, post_id, text FROM comments WHERE post_id = ANY($1) ORDER BY id";
const INSERT_USER_PG: &str = "INSERT INTO users (name, hair_color) VALUES ($1, $2)";
const INSERT_USER_MY: &str = "INSERT INTO users (name, hair_color) VALUES (?, ?)";
const UPDATE_USER_RETURNING: &str =
    "UPDATE users SET name = $1 WHERE id = $2 RETURNING id, name, hair_color";
const UPDATE_USER_MY: &str = "UPDATE users SET name = ? WHERE id = ?";
const COUNT_SEARCH_PG: &str =
    r"SELECT COUNT(*) FROM users WHERE hair_color = $1 AND name LIKE $2 ESCAPE '\'";
const PAGE_SEARCH_PG: &str = r"SELECT id, name, hair_color FROM users WHERE hair_color = $1 AND name LIKE $2 ESCAPE '\' ORDER BY name DESC, id LIMIT $3 OFFSET $4";
// MySQL reads `\` in a string literal as an escape: the escape character
// is written `'\\'` there.
const COUNT_SEARCH_MY: &str =
    r"SELECT COUNT(*) FROM users WHERE hair_color = ? AND name LIKE ? ESCAPE '\\'";
const PAGE_SEARCH_MY: &str = r"SELECT id, name, hair_color FROM users WHERE hair_color = ? AND name LIKE ? ESCAPE '\\' ORDER BY name DESC, id LIMIT ? OFFSET ?";

/// A row of the join: the user's columns, then the post's, all nullable.
#[derive(sqlx::FromRow)]
struct UserWithPost {
    id: i32,
    name: String,
    hair_color: Option<String>,
    post_id: Option<i32>,
    user_id: Option<i32>,
    title: Option<String>,
    body: Option<String>,
}

impl UserWithPost {
    fn split(self) -> (User, Option<Post>) {
        let user = User {
            id: self.id,
            name: self.name,
            hair_color: self.hair_color,
        };
        let post = match (self.post_id, self.user_id, self.title) {
            (Some(id), Some(user_id), Some(title)) => Some(Post {
                id,
                user_id,
                title,
                body: self.body,
            }),
            _ => None,
        };
        (user, post)
    }
}

impl Contender for RawSqlx {
    const NAME: &'static str = "sqlx";
    type User = User;
    type Joined = Joined;
    type Loaded = Loaded;
    type Page = Page;

    async fn connect(target: &Target) -> Result<Option<Self>> {
        Ok(Some(match target.backend {
            Backend::Postgres => RawSqlx::Postgres(pool_options().connect(&target.url).await?),
            Backend::MySql => RawSqlx::MySql(pool_options().connect(&target.url).await?),
            // The benchmark's journal mode and `synchronous`
            // (`crate::durability`), as every contender has them.
            Backend::Sqlite => RawSqlx::Sqlite(
                pool_options()
                    .connect_with(durability::sqlite_options(&target.url)?)
                    .await?,
            ),
        }))
    }

    async fn close(self) {
        on_pool!(&self, pool, _mysql => pool.close().await)
    }

    async fn durability(&self) -> Result<Durability> {
        let backend = self.backend();
        match self {
            RawSqlx::Postgres(pool) => {
                durability::of_sqlx::<sqlx::Postgres>(&mut *pool.acquire().await?, backend).await
            }
            RawSqlx::MySql(pool) => {
                durability::of_sqlx::<MySql>(&mut *pool.acquire().await?, backend).await
            }
            RawSqlx::Sqlite(pool) => {
                durability::of_sqlx::<Sqlite>(&mut *pool.acquire().await?, backend).await
            }
        }
    }

    async fn all_users(&self) -> Result<Vec<User>> {
        on_pool!(self, pool, _mysql => Ok(sqlx::query_as(SELECT_USERS).fetch_all(pool).await?))
    }

    async fn user_by_id(&self, id: i32) -> Result<Option<User>> {
        on_pool!(self, pool, mysql => {
            let sql = if mysql { SELECT_USER_MY } else { SELECT_USER_PG };
            Ok(sqlx::query_as(sql).bind(id).fetch_optional(pool).await?)
        })
    }

    async fn users_with_posts(&self, hair_color: &str) -> Result<Joined> {
        on_pool!(self, pool, mysql => {
            let sql = if mysql { JOIN_MY } else { JOIN_PG };
            // Decoded and split row by row as they arrive, not collected first.
            let rows = sqlx::query_as::<_, UserWithPost>(sql)
                .bind(hair_color)
                .fetch(pool)
                .map_ok(UserWithPost::split)
                .try_collect()
                .await?;
            Ok(Joined(rows))
        })
    }

    async fn users_posts_comments(&self) -> Result<Loaded> {
        let (users, posts, comments) = match self {
            RawSqlx::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                let users: Vec<User> = sqlx::query_as(SELECT_USERS).fetch_all(&mut *conn).await?;
                let ids: Vec<i32> = users.iter().map(|u| u.id).collect();
                let posts: Vec<Post> = sqlx::query_as(POSTS_OF_PG)
                    .bind(ids)
                    .fetch_all(&mut *conn)
                    .await?;
                let ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
                let comments: Vec<Comment> = sqlx::query_as(COMMENTS_OF_PG)
                    .bind(ids)
                    .fetch_all(&mut *conn)
                    .await?;
                (users, posts, comments)
            }
            RawSqlx::MySql(pool) => {
                let mut conn = pool.acquire().await?;
                let users: Vec<User> = sqlx::query_as(SELECT_USERS).fetch_all(&mut *conn).await?;
                let ids: Vec<i32> = users.iter().map(|u| u.id).collect();
                let posts =
                    load_in::<MySql, Post>(&mut conn, POSTS_IN, &ids, Backend::MySql).await?;
                let ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
                let comments =
                    load_in::<MySql, Comment>(&mut conn, COMMENTS_IN, &ids, Backend::MySql).await?;
                (users, posts, comments)
            }
            RawSqlx::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                let users: Vec<User> = sqlx::query_as(SELECT_USERS).fetch_all(&mut *conn).await?;
                let ids: Vec<i32> = users.iter().map(|u| u.id).collect();
                let posts =
                    load_in::<Sqlite, Post>(&mut conn, POSTS_IN, &ids, Backend::Sqlite).await?;
                let ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
                let comments =
                    load_in::<Sqlite, Comment>(&mut conn, COMMENTS_IN, &ids, Backend::Sqlite)
                        .await?;
                (users, posts, comments)
            }
        };
        Ok(Loaded(crate::model::group_loaded(
            users,
            posts,
            comments,
            |u| u.id,
            |p| p.id,
            |p| p.user_id,
            |c| c.post_id,
        )))
    }

    async fn insert_users(&self, users: &[NewUser]) -> Result<()> {
        on_pool!(self, pool, mysql => {
            if let [user] = users {
                let sql = if mysql { INSERT_USER_MY } else { INSERT_USER_PG };
                sqlx::query(sql)
                    .bind(&user.name)
                    .bind(&user.hair_color)
                    .execute(pool)
                    .await?;
            } else {
                insert_values(users).build().execute(pool).await?;
            }
            Ok(())
        })
    }

    async fn bulk_insert_users(&self, users: &[NewUser]) -> Result<()> {
        // Multi-row VALUES, as many rows per statement as the bind limit
        // allows (two values a row), in one transaction.
        let rows = self.backend().bind_limit() / 2;
        on_pool!(self, pool, _mysql => {
            let mut tx = pool.begin().await?;
            for chunk in users.chunks(rows) {
                insert_values(chunk).build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    async fn update_user(&self, id: i32, name: &str) -> Result<User> {
        match self {
            RawSqlx::Postgres(pool) => Ok(sqlx::query_as(UPDATE_USER_RETURNING)
                .bind(name)
                .bind(id)
                .fetch_one(pool)
                .await?),
            RawSqlx::Sqlite(pool) => Ok(sqlx::query_as(UPDATE_USER_RETURNING)
                .bind(name)
                .bind(id)
                .fetch_one(pool)
                .await?),
            RawSqlx::MySql(pool) => {
                // No RETURNING on MySQL: read the row back on the same
                // connection.
                let mut conn = pool.acquire().await?;
                sqlx::query(UPDATE_USER_MY)
                    .bind(name)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                Ok(sqlx::query_as(SELECT_USER_MY)
                    .bind(id)
                    .fetch_one(&mut *conn)
                    .await?)
            }
        }
    }

    async fn search_users(&self, params: &SearchParams) -> Result<Page> {
        let pattern = params.name_pattern();
        let limit = i64::from(params.page_size);
        let offset = i64::try_from(params.offset())?;
        on_pool!(self, pool, mysql => {
            let (count_sql, page_sql) = if mysql {
                (COUNT_SEARCH_MY, PAGE_SEARCH_MY)
            } else {
                (COUNT_SEARCH_PG, PAGE_SEARCH_PG)
            };
            let mut conn = pool.acquire().await?;
            let total: i64 = sqlx::query_scalar(count_sql)
                .bind(&params.hair_color)
                .bind(&pattern)
                .fetch_one(&mut *conn)
                .await?;
            let items = sqlx::query_as(page_sql)
                .bind(&params.hair_color)
                .bind(&pattern)
                .bind(limit)
                .bind(offset)
                .fetch_all(&mut *conn)
                .await?;
            Ok(Page {
                items,
                total: u64::try_from(total)?,
            })
        })
    }
}

impl RawSqlx {
    fn backend(&self) -> Backend {
        match self {
            RawSqlx::Postgres(_) => Backend::Postgres,
            RawSqlx::MySql(_) => Backend::MySql,
            RawSqlx::Sqlite(_) => Backend::Sqlite,
        }
    }
}

const POSTS_IN: &str = "SELECT id, user_id, title, body FROM posts WHERE user_id IN ";
const COMMENTS_IN: &str = "SELECT id, post_id, text FROM comments WHERE post_id IN ";

/// `base (k1, k2, …) ORDER BY id` for every key, split under the bind
/// limit: MySQL and SQLite have no array parameter.
async fn load_in<DB, T>(
    conn: &mut DB::Connection,
    base: &str,
    keys: &[i32],
    backend: Backend,
) -> Result<Vec<T>>
where
    DB: sqlx::Database,
    DB::Arguments: sqlx::IntoArguments<DB>,
    i32: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    T: for<'r> sqlx::FromRow<'r, DB::Row> + Send + Unpin,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    let mut out = Vec::new();
    for chunk in keys.chunks(backend.bind_limit()) {
        let mut query = QueryBuilder::<DB>::new(base);
        query.push("(");
        let mut list = query.separated(", ");
        for key in chunk {
            list.push_bind(*key);
        }
        list.push_unseparated(") ORDER BY id");
        out.extend(query.build_query_as::<T>().fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// `INSERT INTO users (name, hair_color) VALUES (…), (…), …`.
fn insert_values<DB>(users: &[NewUser]) -> QueryBuilder<DB>
where
    DB: sqlx::Database,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let mut query = QueryBuilder::<DB>::new("INSERT INTO users (name, hair_color) ");
    query.push_values(users, |mut row, user| {
        row.push_bind(user.name.as_str())
            .push_bind(user.hair_color.as_deref());
    });
    query
}
