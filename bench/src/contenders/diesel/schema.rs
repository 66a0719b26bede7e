//! The tables as Diesel sees them (what `diesel print-schema` writes for
//! the DDL entable creates), and the row structs.

use diesel::prelude::*;

use crate::model;

diesel::table! {
    users (id) {
        id -> Integer,
        name -> Text,
        hair_color -> Nullable<Text>,
    }
}

diesel::table! {
    posts (id) {
        id -> Integer,
        user_id -> Integer,
        title -> Text,
        body -> Nullable<Text>,
    }
}

diesel::table! {
    comments (id) {
        id -> Integer,
        post_id -> Integer,
        text -> Text,
    }
}

diesel::joinable!(posts -> users (user_id));
diesel::joinable!(comments -> posts (post_id));
diesel::allow_tables_to_appear_in_same_query!(users, posts, comments);

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
    pub name: String,
    pub hair_color: Option<String>,
}

#[derive(Clone, Debug, Queryable, Selectable, Identifiable, Associations)]
#[diesel(table_name = posts, belongs_to(User))]
pub struct Post {
    pub id: i32,
    pub user_id: i32,
    pub title: String,
    pub body: Option<String>,
}

#[derive(Clone, Debug, Queryable, Selectable, Identifiable, Associations)]
#[diesel(table_name = comments, belongs_to(Post))]
pub struct Comment {
    pub id: i32,
    pub post_id: i32,
    pub text: String,
}

/// A user to insert, borrowing the caller's strings. `None` is NULL, not
/// `DEFAULT` (which SQLite's multi-row `VALUES` cannot express).
#[derive(Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub struct NewUser<'a> {
    pub name: &'a str,
    pub hair_color: Option<&'a str>,
}

impl<'a> From<&'a model::NewUser> for NewUser<'a> {
    fn from(user: &'a model::NewUser) -> Self {
        NewUser {
            name: &user.name,
            hair_color: user.hair_color.as_deref(),
        }
    }
}

/// Users with their posts with their comments.
pub type Tree = model::Tree<User, Post, Comment>;

/// Nests posts and comments under their parents with Diesel's
/// `grouped_by`, as diesel_bench does.
pub fn tree(users: Vec<User>, posts: Vec<Post>, comments: Vec<Comment>) -> Tree {
    let comments = comments.grouped_by(&posts);
    let posts: Vec<(Post, Vec<Comment>)> = posts.into_iter().zip(comments).collect();
    let posts = posts.grouped_by(&users);
    users.into_iter().zip(posts).collect()
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

impl From<Vec<(User, Option<Post>)>> for model::Joined {
    fn from(rows: Vec<(User, Option<Post>)>) -> Self {
        model::Joined(
            rows.into_iter()
                .map(|(user, post)| (user.into(), post.map(Into::into)))
                .collect(),
        )
    }
}

impl From<Tree> for model::Loaded {
    fn from(tree: Tree) -> Self {
        model::Loaded(
            tree.into_iter()
                .map(|(user, posts)| {
                    let posts = posts
                        .into_iter()
                        .map(|(post, comments)| {
                            (post.into(), comments.into_iter().map(Into::into).collect())
                        })
                        .collect();
                    (user.into(), posts)
                })
                .collect(),
        )
    }
}

impl From<(Vec<User>, i64)> for model::Page {
    fn from((items, total): (Vec<User>, i64)) -> Self {
        model::Page {
            items: items.into_iter().map(Into::into).collect(),
            total: u64::try_from(total).unwrap_or(0),
        }
    }
}

/// The rows of the durability probes (`crate::durability`): one named
/// column each.
pub mod probe {
    use diesel::sql_types::{BigInt, Text};

    /// SQLite's `PRAGMA journal_mode`.
    #[derive(diesel::QueryableByName)]
    pub struct JournalMode {
        #[diesel(sql_type = Text)]
        pub journal_mode: String,
    }

    /// SQLite's `PRAGMA synchronous`.
    #[derive(diesel::QueryableByName)]
    pub struct Synchronous {
        #[diesel(sql_type = BigInt)]
        pub synchronous: i64,
    }

    /// PostgreSQL's `synchronous_commit`.
    #[derive(diesel::QueryableByName)]
    pub struct SynchronousCommit {
        #[diesel(sql_type = Text)]
        pub synchronous_commit: String,
    }

    /// MySQL's `innodb_flush_log_at_trx_commit`, as text.
    #[derive(diesel::QueryableByName)]
    pub struct FlushLog {
        #[diesel(sql_type = Text)]
        pub innodb_flush_log_at_trx_commit: String,
    }
}
