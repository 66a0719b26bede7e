//! The data every contender runs on: the schema (created by entable from
//! the entities in [`crate::contenders::entable`]), emptied and re-seeded
//! before each workload and each contender, as diesel_bench does, with keys
//! restarting at 1 so every contender sees the same rows and keys.
//!
//! Seeding goes through plain sqlx and is never timed.

use sqlx::{Database, Executor, QueryBuilder};

use crate::Result;
use crate::model::{self, NewUser};
use crate::target::{Backend, Target};
use crate::workload::Workload;

/// Posts per user and comments per post in workload 4 (diesel_bench's).
pub const POSTS_PER_USER: usize = 10;
pub const COMMENTS_PER_POST: usize = 10;
/// Users present for workloads 2 and 6a (by key, update).
pub const KEYED_USERS: usize = 100;
/// Users present for workload 6b (search).
pub const SEARCH_USERS: usize = 1_000;

/// The benchmark database's tables and a handle to seed them.
pub struct Fixture {
    db: entable::Db,
    backend: Backend,
}

/// A value of a seeded row.
enum Value<'a> {
    Int(i32),
    Text(&'a str),
    MaybeText(Option<&'a str>),
}

/// The fixture's handle: entable's `Db` over sqlx's pools, handed over
/// with `Db::from` (the fixture seeds and reads with sqlx statements, on
/// the pool `Db::as_postgres` and its siblings give back). On SQLite the
/// pool is opened as the other contenders' are, with the benchmark's
/// journal mode and `synchronous` (`crate::durability`).
async fn connect(target: &Target) -> Result<entable::Db> {
    match target.backend {
        Backend::Postgres => {
            let pool = crate::contenders::sqlx_raw::pool_options::<sqlx::Postgres>()
                .connect(&target.url)
                .await?;
            return Ok(entable::Db::from(pool));
        }
        Backend::MySql => {
            let pool = crate::contenders::sqlx_raw::pool_options::<sqlx::MySql>()
                .connect(&target.url)
                .await?;
            return Ok(entable::Db::from(pool));
        }
        Backend::Sqlite => {}
    }
    let options = crate::durability::sqlite_options(&target.url)?.with_regexp();
    let pool = crate::contenders::sqlx_raw::pool_options::<sqlx::Sqlite>()
        .connect_with(options)
        .await?;
    Ok(entable::Db::from(pool))
}

impl Fixture {
    /// Connects and creates the tables. On SQLite its connections have the
    /// benchmark's durability, as the contenders' do (the journal mode, WAL,
    /// is the file's from the first connection on).
    pub async fn create(target: &Target) -> Result<Fixture> {
        let db = connect(target).await?;
        crate::contenders::entable::schema()?
            .create_all(&db)
            .await?;
        Ok(Fixture {
            db,
            backend: target.backend,
        })
    }

    /// The backend the fixture's database is on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the fixture's pool.
    pub async fn close(self) {
        self.db.close().await;
    }

    /// Empties every table and restarts the keys at 1.
    pub async fn reset(&self) -> Result<()> {
        match self.backend {
            Backend::Postgres => {
                let pool = self.db.as_postgres().ok_or("not PostgreSQL")?;
                sqlx::raw_sql("TRUNCATE comments, posts, users RESTART IDENTITY")
                    .execute(pool)
                    .await?;
            }
            Backend::MySql => {
                let pool = self.db.as_mysql().ok_or("not MySQL")?;
                // TRUNCATE restarts AUTO_INCREMENT but refuses a table that
                // a foreign key references, unless checks are off on this
                // connection.
                let mut conn = pool.acquire().await?;
                for statement in [
                    "SET FOREIGN_KEY_CHECKS = 0",
                    "TRUNCATE TABLE comments",
                    "TRUNCATE TABLE posts",
                    "TRUNCATE TABLE users",
                    "SET FOREIGN_KEY_CHECKS = 1",
                ] {
                    sqlx::raw_sql(statement).execute(&mut *conn).await?;
                }
            }
            Backend::Sqlite => {
                let pool = self.db.as_sqlite().ok_or("not SQLite")?;
                // AUTOINCREMENT keys continue from `sqlite_sequence`.
                sqlx::raw_sql(
                    "DELETE FROM comments; DELETE FROM posts; DELETE FROM users; \
                     DELETE FROM sqlite_sequence",
                )
                .execute(pool)
                .await?;
            }
        }
        Ok(())
    }

    /// Empties the tables and seeds what `workload` at `size` reads.
    pub async fn prepare(&self, workload: Workload, size: usize) -> Result<()> {
        self.reset().await?;
        match workload {
            Workload::Trivial => {
                self.seed_users(&model::new_users(size, model::no_hair))
                    .await
            }
            Workload::Medium => {
                // diesel_bench's data: users only, so the join finds no posts.
                self.seed_users(&model::new_users(size, model::black_or_brown))
                    .await
            }
            Workload::ByKey | Workload::Update => {
                self.seed_users(&model::new_users(KEYED_USERS, model::black_or_brown))
                    .await
            }
            Workload::Search => {
                self.seed_users(&model::new_users(SEARCH_USERS, model::black_or_brown))
                    .await
            }
            Workload::Associations => {
                self.seed_users(&model::new_users(size, model::black_or_brown))
                    .await?;
                self.seed_posts_and_comments(size).await
            }
            Workload::Insert | Workload::BulkInsert => Ok(()),
        }
    }

    /// Every user, in key order (to check what inserts and updates wrote).
    pub async fn users(&self) -> Result<Vec<model::User>> {
        const SQL: &str = "SELECT id, name, hair_color FROM users ORDER BY id";
        Ok(match self.backend {
            Backend::Postgres => {
                sqlx::query_as(SQL)
                    .fetch_all(self.db.as_postgres().ok_or("not PostgreSQL")?)
                    .await?
            }
            Backend::MySql => {
                sqlx::query_as(SQL)
                    .fetch_all(self.db.as_mysql().ok_or("not MySQL")?)
                    .await?
            }
            Backend::Sqlite => {
                sqlx::query_as(SQL)
                    .fetch_all(self.db.as_sqlite().ok_or("not SQLite")?)
                    .await?
            }
        })
    }

    async fn seed_users(&self, users: &[NewUser]) -> Result<()> {
        let rows: Vec<Vec<Value<'_>>> = users
            .iter()
            .map(|u| {
                vec![
                    Value::Text(&u.name),
                    Value::MaybeText(u.hair_color.as_deref()),
                ]
            })
            .collect();
        self.insert("users (name, hair_color)", &rows).await
    }

    /// diesel_bench's associations: per user (keys 1..=users) ten posts,
    /// per post ten comments; keys are known because they restart at 1.
    async fn seed_posts_and_comments(&self, users: usize) -> Result<()> {
        let mut titles = Vec::with_capacity(users * POSTS_PER_USER);
        let mut owners = Vec::with_capacity(users * POSTS_PER_USER);
        for user in 1..=users {
            for i in 0..POSTS_PER_USER {
                titles.push(format!("Post {i} by user {user}"));
                owners.push(i32::try_from(user)?);
            }
        }
        let rows: Vec<Vec<Value<'_>>> = titles
            .iter()
            .zip(&owners)
            .map(|(title, user)| {
                vec![
                    Value::Int(*user),
                    Value::Text(title),
                    Value::MaybeText(None),
                ]
            })
            .collect();
        self.insert("posts (user_id, title, body)", &rows).await?;

        let posts = titles.len();
        let mut texts = Vec::with_capacity(posts * COMMENTS_PER_POST);
        let mut parents = Vec::with_capacity(posts * COMMENTS_PER_POST);
        for post in 1..=posts {
            for i in 0..COMMENTS_PER_POST {
                texts.push(format!("Comment {i} on post {post}"));
                parents.push(i32::try_from(post)?);
            }
        }
        let rows: Vec<Vec<Value<'_>>> = texts
            .iter()
            .zip(&parents)
            .map(|(text, post)| vec![Value::Int(*post), Value::Text(text)])
            .collect();
        self.insert("comments (post_id, text)", &rows).await
    }

    /// Multi-row inserts into `into` ("table (columns)"), in one
    /// transaction, split under the bind limit.
    async fn insert(&self, into: &str, rows: &[Vec<Value<'_>>]) -> Result<()> {
        let per_row = rows.first().map_or(1, Vec::len);
        let chunk = (self.backend.bind_limit() / per_row).min(1_000);
        match self.backend {
            Backend::Postgres => {
                let mut tx = self
                    .db
                    .as_postgres()
                    .ok_or("not PostgreSQL")?
                    .begin()
                    .await?;
                insert_chunks::<sqlx::Postgres>(&mut tx, into, rows, chunk).await?;
                tx.commit().await?;
            }
            Backend::MySql => {
                let mut tx = self.db.as_mysql().ok_or("not MySQL")?.begin().await?;
                insert_chunks::<sqlx::MySql>(&mut tx, into, rows, chunk).await?;
                tx.commit().await?;
            }
            Backend::Sqlite => {
                let mut tx = self.db.as_sqlite().ok_or("not SQLite")?.begin().await?;
                insert_chunks::<sqlx::Sqlite>(&mut tx, into, rows, chunk).await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }
}

async fn insert_chunks<DB>(
    conn: &mut DB::Connection,
    into: &str,
    rows: &[Vec<Value<'_>>],
    chunk: usize,
) -> Result<()>
where
    DB: Database,
    DB::Arguments: sqlx::IntoArguments<DB>,
    i32: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    for rows in rows.chunks(chunk.max(1)) {
        let mut query = QueryBuilder::<DB>::new(format!("INSERT INTO {into} "));
        query.push_values(rows, |mut out, row| {
            for value in row {
                match value {
                    Value::Int(v) => out.push_bind(*v),
                    Value::Text(v) => out.push_bind(*v),
                    Value::MaybeText(v) => out.push_bind(*v),
                };
            }
        });
        query.build().execute(&mut *conn).await?;
    }
    Ok(())
}
