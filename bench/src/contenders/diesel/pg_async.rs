//! diesel-async on PostgreSQL: the same queries as the synchronous module,
//! awaited on an `AsyncPgConnection` (tokio-postgres underneath, statements
//! prepared and cached per connection) from diesel-async's deadpool pool,
//! recycled without a test query, as the other contenders' pools are.

use diesel::prelude::*;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::schema::{Comment, NewUser, Post, Tree, User, comments, posts, tree, users};
use crate::Result;
use crate::model::{self, SearchParams};

pub type PgPool = Pool<AsyncPgConnection>;

pub fn pool(url: &str) -> Result<PgPool> {
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
    Ok(Pool::builder(manager).max_size(10).build()?)
}

/// The durability settings of one pooled connection.
pub async fn durability(pool: &PgPool) -> Result<crate::durability::Durability> {
    use super::schema::probe::SynchronousCommit;
    use crate::durability::{self, Answer};
    let mut conn = pool.get().await?;
    let mut out = Vec::new();
    for probe in durability::probes(crate::target::Backend::Postgres) {
        let value = diesel::sql_query(probe.sql)
            .get_result::<SynchronousCommit>(&mut conn)
            .await?
            .synchronous_commit;
        out.push(durability::entry(probe, Answer::Text(value)));
    }
    Ok(out)
}

pub async fn all_users(pool: &PgPool) -> Result<Vec<User>> {
    let mut conn = pool.get().await?;
    Ok(users::table
        .order(users::id)
        .select(User::as_select())
        .load(&mut conn)
        .await?)
}

pub async fn user_by_id(pool: &PgPool, id: i32) -> Result<Option<User>> {
    let mut conn = pool.get().await?;
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .first(&mut conn)
        .await
        .optional()?)
}

pub async fn users_with_posts(
    pool: &PgPool,
    hair_color: &str,
) -> Result<Vec<(User, Option<Post>)>> {
    let mut conn = pool.get().await?;
    Ok(users::table
        .left_join(posts::table)
        .filter(users::hair_color.eq(hair_color))
        .order((users::id, posts::id))
        .select((User::as_select(), Option::<Post>::as_select()))
        .load(&mut conn)
        .await?)
}

pub async fn users_posts_comments(pool: &PgPool) -> Result<Tree> {
    let mut conn = pool.get().await?;
    let users = users::table
        .order(users::id)
        .select(User::as_select())
        .load(&mut conn)
        .await?;
    let posts = Post::belonging_to(&users)
        .order(posts::id)
        .select(Post::as_select())
        .load(&mut conn)
        .await?;
    let comments = Comment::belonging_to(&posts)
        .order(comments::id)
        .select(Comment::as_select())
        .load(&mut conn)
        .await?;
    Ok(tree(users, posts, comments))
}

pub async fn insert_users(pool: &PgPool, users: &[model::NewUser]) -> Result<()> {
    let mut conn = pool.get().await?;
    if let [user] = users {
        diesel::insert_into(users::table)
            .values(NewUser::from(user))
            .execute(&mut conn)
            .await?;
    } else {
        let rows: Vec<NewUser<'_>> = users.iter().map(NewUser::from).collect();
        diesel::insert_into(users::table)
            .values(&rows)
            .execute(&mut conn)
            .await?;
    }
    Ok(())
}

pub async fn bulk_insert_users(
    pool: &PgPool,
    users: &[model::NewUser],
    rows_per_statement: usize,
) -> Result<()> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        for chunk in users.chunks(rows_per_statement) {
            let rows: Vec<NewUser<'_>> = chunk.iter().map(NewUser::from).collect();
            diesel::insert_into(users::table)
                .values(&rows)
                .execute(conn)
                .await?;
        }
        Ok(())
    })
    .await?;
    Ok(())
}

pub async fn update_user(pool: &PgPool, id: i32, name: &str) -> Result<User> {
    let mut conn = pool.get().await?;
    Ok(diesel::update(users::table.find(id))
        .set(users::name.eq(name))
        .returning(User::as_returning())
        .get_result(&mut conn)
        .await?)
}

pub async fn search_users(pool: &PgPool, params: &SearchParams) -> Result<(Vec<User>, i64)> {
    let mut conn = pool.get().await?;
    let pattern = params.name_pattern();
    let filter = users::hair_color
        .eq(params.hair_color.as_str())
        .and(users::name.like(pattern.as_str()).escape('\\'));
    let total = users::table
        .filter(filter.clone())
        .count()
        .get_result(&mut conn)
        .await?;
    let items = users::table
        .filter(filter)
        .order((users::name.desc(), users::id))
        .limit(i64::from(params.page_size))
        .offset(i64::try_from(params.offset())?)
        .select(User::as_select())
        .load(&mut conn)
        .await?;
    Ok((items, total))
}
