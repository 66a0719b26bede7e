//! Synchronous Diesel (SQLite, and MySQL with the `diesel-mysql` feature):
//! the calls run inline on the caller's thread, as a Diesel program does.
//! Connections come from Diesel's r2d2 pool without a test on checkout.

use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool};

use super::schema::{Comment, NewUser, Post, Tree, User, comments, posts, tree, users};
use crate::Result;
use crate::model::{self, SearchParams};

/// A pool of `C`, configured like the other contenders' pools.
fn builder<C>() -> diesel::r2d2::Builder<ConnectionManager<C>>
where
    C: diesel::r2d2::R2D2Connection + 'static,
{
    Pool::builder()
        .max_size(10)
        .min_idle(Some(0))
        .test_on_check_out(false)
}

/// The MySQL pool.
#[cfg(feature = "diesel-mysql")]
pub fn mysql_pool(url: &str) -> Result<Pool<ConnectionManager<diesel::MysqlConnection>>> {
    Ok(builder().build(ConnectionManager::new(url))?)
}

/// The benchmark's journal mode, `synchronous` and busy timeout
/// (`crate::durability`), run on every SQLite connection as r2d2 opens
/// it: Diesel's `SqliteConnection` otherwise keeps SQLite's defaults
/// (the file's journal mode, `synchronous = FULL`, no busy timeout).
#[derive(Debug)]
struct SqliteDurability;

impl diesel::r2d2::CustomizeConnection<diesel::SqliteConnection, diesel::r2d2::Error>
    for SqliteDurability
{
    fn on_acquire(
        &self,
        conn: &mut diesel::SqliteConnection,
    ) -> std::result::Result<(), diesel::r2d2::Error> {
        use diesel::connection::SimpleConnection;
        conn.batch_execute(&crate::durability::sqlite_pragmas())
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// The SQLite pool, each connection with the benchmark's durability.
pub fn sqlite_pool(path: &str) -> Result<Pool<ConnectionManager<diesel::SqliteConnection>>> {
    Ok(builder()
        .connection_customizer(Box::new(SqliteDurability))
        .build(ConnectionManager::new(path))?)
}

/// The queries written once, for each synchronous connection type: Diesel's
/// generic-over-backend signatures need a long where-clause per query, so
/// the same text is expanded per concrete type, as a user of one backend
/// writes it.
macro_rules! queries {
    ($conn:ty) => {
        pub fn all_users(conn: &mut $conn) -> QueryResult<Vec<User>> {
            users::table
                .order(users::id)
                .select(User::as_select())
                .load(conn)
        }

        pub fn user_by_id(conn: &mut $conn, id: i32) -> QueryResult<Option<User>> {
            users::table
                .find(id)
                .select(User::as_select())
                .first(conn)
                .optional()
        }

        pub fn users_with_posts(
            conn: &mut $conn,
            hair_color: &str,
        ) -> QueryResult<Vec<(User, Option<Post>)>> {
            users::table
                .left_join(posts::table)
                .filter(users::hair_color.eq(hair_color))
                .order((users::id, posts::id))
                .select((User::as_select(), Option::<Post>::as_select()))
                .load(conn)
        }

        pub fn users_posts_comments(conn: &mut $conn) -> QueryResult<Tree> {
            let users = users::table
                .order(users::id)
                .select(User::as_select())
                .load(conn)?;
            let posts = Post::belonging_to(&users)
                .order(posts::id)
                .select(Post::as_select())
                .load(conn)?;
            let comments = Comment::belonging_to(&posts)
                .order(comments::id)
                .select(Comment::as_select())
                .load(conn)?;
            Ok(tree(users, posts, comments))
        }

        pub fn insert_users(conn: &mut $conn, users: &[model::NewUser]) -> QueryResult<()> {
            if let [user] = users {
                diesel::insert_into(users::table)
                    .values(NewUser::from(user))
                    .execute(conn)?;
            } else {
                let rows: Vec<NewUser<'_>> = users.iter().map(NewUser::from).collect();
                diesel::insert_into(users::table)
                    .values(&rows)
                    .execute(conn)?;
            }
            Ok(())
        }

        pub fn bulk_insert_users(
            conn: &mut $conn,
            users: &[model::NewUser],
            rows_per_statement: usize,
        ) -> QueryResult<()> {
            conn.transaction(|conn| {
                for chunk in users.chunks(rows_per_statement) {
                    let rows: Vec<NewUser<'_>> = chunk.iter().map(NewUser::from).collect();
                    diesel::insert_into(users::table)
                        .values(&rows)
                        .execute(conn)?;
                }
                Ok(())
            })
        }

        pub fn search_users(
            conn: &mut $conn,
            params: &SearchParams,
        ) -> QueryResult<(Vec<User>, i64)> {
            let pattern = params.name_pattern();
            let filter = users::hair_color
                .eq(params.hair_color.as_str())
                .and(users::name.like(pattern.as_str()).escape('\\'));
            let total = users::table
                .filter(filter.clone())
                .count()
                .get_result(conn)?;
            let items = users::table
                .filter(filter)
                .order((users::name.desc(), users::id))
                .limit(i64::from(params.page_size))
                .offset(i64::try_from(params.offset()).unwrap_or(i64::MAX))
                .select(User::as_select())
                .load(conn)?;
            Ok((items, total))
        }
    };
}

pub mod sqlite {
    use super::*;
    use crate::durability::{self, Answer, Durability};
    use crate::target::Backend;
    use diesel::SqliteConnection;

    queries!(SqliteConnection);

    /// The durability settings of `conn`.
    pub fn durability(conn: &mut SqliteConnection) -> Result<Durability> {
        use super::super::schema::probe::{JournalMode, Synchronous};
        let mut out = Vec::new();
        for probe in durability::probes(Backend::Sqlite) {
            let query = diesel::sql_query(probe.sql);
            let answer = match probe.name {
                "journal_mode" => Answer::Text(query.get_result::<JournalMode>(conn)?.journal_mode),
                "synchronous" => Answer::Int(query.get_result::<Synchronous>(conn)?.synchronous),
                other => return Err(format!("Diesel: no query for `{other}`").into()),
            };
            out.push(durability::entry(probe, answer));
        }
        Ok(out)
    }

    pub fn update_user(conn: &mut SqliteConnection, id: i32, name: &str) -> QueryResult<User> {
        diesel::update(users::table.find(id))
            .set(users::name.eq(name))
            .returning(User::as_returning())
            .get_result(conn)
    }
}

#[cfg(feature = "diesel-mysql")]
pub mod mysql {
    use super::*;
    use diesel::MysqlConnection;

    queries!(MysqlConnection);

    /// The durability settings of `conn`.
    pub fn durability(conn: &mut MysqlConnection) -> Result<crate::durability::Durability> {
        use super::super::schema::probe::FlushLog;
        use crate::durability::{self, Answer};
        let mut out = Vec::new();
        for probe in durability::probes(crate::target::Backend::MySql) {
            let value = diesel::sql_query(probe.sql)
                .get_result::<FlushLog>(conn)?
                .innodb_flush_log_at_trx_commit;
            out.push(durability::entry(probe, Answer::Text(value)));
        }
        Ok(out)
    }

    pub fn update_user(conn: &mut MysqlConnection, id: i32, name: &str) -> QueryResult<User> {
        // No RETURNING on MySQL: read the row back on the same connection,
        // as the other contenders do.
        diesel::update(users::table.find(id))
            .set(users::name.eq(name))
            .execute(conn)?;
        users::table.find(id).select(User::as_select()).first(conn)
    }
}
