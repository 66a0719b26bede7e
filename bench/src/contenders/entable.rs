//! entable as its users write it: three annotated structs, and repository
//! calls on a [`Db`] handle (one pooled connection per call).
//!
//! These entities also define the benchmark's schema: every contender runs
//! on the tables `Schema::create_all` makes from them (see
//! [`crate::fixture`]), so all four read and write the same DDL.

use entable::dto::{Filter, Patch, Sort, SortList};
use entable::prelude::*;

use crate::Result;
use crate::contender::Contender;
use crate::durability::{self, Durability};
use crate::model::{self, NewUser, SearchParams};
use crate::target::{Backend, Target};

/// `users`: diesel_bench's schema, with the relation to posts.
#[derive(Entity, Debug, Clone)]
#[entity(table = "users")]
pub struct User {
    #[entity(primary_key, auto_increment)]
    pub id: i32,
    pub name: String,
    pub hair_color: Option<String>,
    #[entity(has_many)]
    pub posts: Vec<Post>,
}

/// `posts`, indexed by author: what a careful schema has for the
/// `user_id IN (…)` loads of workload 4.
#[derive(Entity, Debug, Clone)]
#[entity(table = "posts")]
pub struct Post {
    #[entity(primary_key, auto_increment)]
    pub id: i32,
    #[entity(references = User, on_delete = "cascade", index)]
    pub user_id: i32,
    pub title: String,
    pub body: Option<String>,
    #[entity(has_many)]
    pub comments: Vec<Comment>,
}

/// `comments`.
#[derive(Entity, Debug, Clone)]
#[entity(table = "comments")]
pub struct Comment {
    #[entity(primary_key, auto_increment)]
    pub id: i32,
    #[entity(references = Post, on_delete = "cascade", index)]
    pub post_id: i32,
    pub text: String,
}

/// The benchmark's schema, referenced tables first.
pub fn schema() -> Result<Schema> {
    Ok(Schema::of([
        User::table(),
        Post::table(),
        Comment::table(),
    ])?)
}

/// The entable contender: a [`Db`] with entable's default pool settings.
pub struct Entable {
    db: Db,
}

impl Entable {
    /// The contender's handle.
    pub fn db(&self) -> &Db {
        &self.db
    }
}

/// entable's handle on `target`: `Db::connect` on PostgreSQL and MySQL.
/// On SQLite, its default driver (rusqlite) with the benchmark's
/// durability: the pool opens files in WAL mode and takes `synchronous`
/// from [`PoolConfig`](entable::PoolConfig) (`crate::durability`).
pub async fn connect_db(target: &Target) -> Result<Db> {
    if target.backend != Backend::Sqlite {
        return Ok(Db::connect(&target.url).await?);
    }
    let config = entable::PoolConfig {
        sqlite_synchronous: entable::LiteSync::Normal,
        ..entable::PoolConfig::default()
    };
    Ok(Db::connect_with(&target.url, config).await?)
}

impl Contender for Entable {
    const NAME: &'static str = "entable";
    type User = User;
    type Joined = Vec<User>;
    type Loaded = Vec<User>;
    type Page = entable::dto::Page<User>;

    async fn connect(target: &Target) -> Result<Option<Self>> {
        Ok(Some(Entable {
            db: connect_db(target).await?,
        }))
    }

    async fn close(self) {
        self.db.close().await;
    }

    async fn durability(&self) -> Result<Durability> {
        let backend = match self.db.dialect() {
            Dialect::Postgres => Backend::Postgres,
            Dialect::MySql => Backend::MySql,
            Dialect::Sqlite => Backend::Sqlite,
        };
        durability::of_entable(&self.db, backend).await
    }

    async fn all_users(&self) -> Result<Vec<User>> {
        // `find` returns rows in key order, as every contender is asked to.
        Ok(User::find(&self.db, Expr::all()).await?)
    }

    async fn user_by_id(&self, id: i32) -> Result<Option<User>> {
        Ok(User::get(&self.db, id).await?)
    }

    async fn users_with_posts(&self, hair_color: &str) -> Result<Vec<User>> {
        // One `LEFT JOIN`, split into users with their posts.
        Ok(User::query()
            .filter(User::HAIR_COLOR.eq(hair_color.to_owned()))
            .join(User::POSTS)
            .all(&self.db)
            .await?)
    }

    async fn users_posts_comments(&self) -> Result<Vec<User>> {
        Ok(User::query()
            .with(User::POSTS.with(Post::COMMENTS))
            .all(&self.db)
            .await?)
    }

    async fn insert_users(&self, users: &[NewUser]) -> Result<()> {
        if let [user] = users {
            // The new row's key, as the others get it (raw sqlx and Diesel
            // execute, SeaORM's `insert` returns the last insert id):
            // `create` would read the row back, a second statement on
            // MySQL, which has no `RETURNING`.
            User::create_key(&self.db, create(user)).await?;
            return Ok(());
        }
        // Several rows: the count-only bulk insert, which reads nothing
        // back, as the other contenders' multi-row INSERTs do (a binary
        // COPY on PostgreSQL, multi-row VALUES elsewhere; one transaction).
        User::bulk_insert(&self.db, users.iter().map(create)).await?;
        Ok(())
    }

    async fn bulk_insert_users(&self, users: &[NewUser]) -> Result<()> {
        // The inputs are built inside the timed call, as the other
        // contenders build their statements from the same `&[NewUser]`:
        // each as its statement takes it (`bulk_insert` takes an iterator;
        // `User` has no validation rules to check first).
        User::bulk_insert(&self.db, users.iter().map(create)).await?;
        Ok(())
    }

    async fn update_user(&self, id: i32, name: &str) -> Result<User> {
        let patch = UserUpdate {
            name: Patch::Set(name.to_owned()),
            ..Default::default()
        };
        Ok(User::update(&self.db, id, patch).await?)
    }

    async fn search_users(&self, params: &SearchParams) -> Result<entable::dto::Page<User>> {
        // The Search DTO as a handler builds it (or deserialises it from
        // `?hair_color=black&name.starts_with=User 1&sort=-name&page=2`).
        let search = UserSearch {
            hair_color: Some(Filter::new().eq(params.hair_color.clone())),
            name: Some(Filter::new().starts_with(params.name_prefix.as_str())),
            sort: SortList(vec![Sort::desc(UserSort::Name)]),
            page: Some(params.page),
            page_size: Some(params.page_size),
            ..Default::default()
        };
        Ok(User::search(&self.db, &search).await?)
    }
}

fn create(user: &NewUser) -> UserCreate {
    UserCreate {
        name: user.name.clone(),
        hair_color: user.hair_color.clone(),
    }
}

impl From<User> for model::User {
    fn from(user: User) -> Self {
        model::User {
            id: user.id,
            name: user.name,
            hair_color: user.hair_color,
        }
    }
}

impl From<Post> for model::Post {
    fn from(post: Post) -> Self {
        model::Post {
            id: post.id,
            user_id: post.user_id,
            title: post.title,
            body: post.body,
        }
    }
}

impl From<Comment> for model::Comment {
    fn from(comment: Comment) -> Self {
        model::Comment {
            id: comment.id,
            post_id: comment.post_id,
            text: comment.text,
        }
    }
}

/// Nested users → the join's rows: a user without posts is one row with
/// no post.
impl From<Vec<User>> for model::Joined {
    fn from(users: Vec<User>) -> Self {
        let mut rows = Vec::new();
        for mut user in users {
            let posts = std::mem::take(&mut user.posts);
            if posts.is_empty() {
                rows.push((user.into(), None));
            } else {
                for post in posts {
                    rows.push((user.clone().into(), Some(post.into())));
                }
            }
        }
        model::Joined(rows)
    }
}

impl From<Vec<User>> for model::Loaded {
    fn from(users: Vec<User>) -> Self {
        model::Loaded(
            users
                .into_iter()
                .map(|mut user| {
                    let posts = std::mem::take(&mut user.posts)
                        .into_iter()
                        .map(|mut post| {
                            let comments = std::mem::take(&mut post.comments)
                                .into_iter()
                                .map(Into::into)
                                .collect();
                            (post.into(), comments)
                        })
                        .collect();
                    (user.into(), posts)
                })
                .collect(),
        )
    }
}

impl From<entable::dto::Page<User>> for model::Page {
    fn from(page: entable::dto::Page<User>) -> Self {
        model::Page {
            items: page.items.into_iter().map(Into::into).collect(),
            total: page.total,
        }
    }
}
