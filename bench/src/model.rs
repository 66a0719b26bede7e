//! The rows every contender's results are compared in, and the inputs of
//! the workloads.
//!
//! Contenders return their own types from the timed calls (what their users
//! get); those convert into these types afterwards, outside the timing, so
//! the test in `tests/same_results.rs` can compare them. The hand-written
//! sqlx contender decodes straight into them.

/// A row of `users`.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    pub id: i32,
    pub name: String,
    pub hair_color: Option<String>,
}

/// A row of `posts`.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Post {
    pub id: i32,
    pub user_id: i32,
    pub title: String,
    pub body: Option<String>,
}

/// A row of `comments`.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Comment {
    pub id: i32,
    pub post_id: i32,
    pub text: String,
}

/// Workload 3: `users LEFT JOIN posts`, one pair per joined row, ordered by
/// user then post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Joined(pub Vec<(User, Option<Post>)>);

/// Parents with their children with theirs: workload 4's shape, in any
/// contender's row types.
pub type Tree<U, P, C> = Vec<(U, Vec<(P, Vec<C>)>)>;

/// Workload 4: users with their posts with their comments, each level in
/// key order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loaded(pub Tree<User, Post, Comment>);

/// Workload 6b: one page of users and the number of all matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    pub items: Vec<User>,
    pub total: u64,
}

/// A user to insert (workload 5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    pub name: String,
    pub hair_color: Option<String>,
}

/// Workload 6b as an API receives it: `hair_color = …`, `name` starting
/// with …, sorted by name descending (then by key, for stable pages), page
/// `page` (from 1) of `page_size` rows, with the total count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchParams {
    pub hair_color: String,
    pub name_prefix: String,
    pub page: u32,
    pub page_size: u32,
}

impl SearchParams {
    /// The rows to skip before the page.
    pub fn offset(&self) -> u64 {
        u64::from(self.page.saturating_sub(1)) * u64::from(self.page_size)
    }

    /// The `LIKE` pattern of the name prefix, `%`, `_` and `\` escaped (the
    /// statements say `ESCAPE '\'`): user text must never act as a wildcard.
    pub fn name_pattern(&self) -> String {
        let mut out = String::with_capacity(self.name_prefix.len() + 1);
        for c in self.name_prefix.chars() {
            if matches!(c, '%' | '_' | '\\') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('%');
        out
    }
}

/// The users diesel_bench inserts: `User {i}`, with the hair colour the
/// workload asks for.
pub fn new_users(n: usize, hair_color: impl Fn(usize) -> Option<&'static str>) -> Vec<NewUser> {
    (0..n)
        .map(|i| NewUser {
            name: format!("User {i}"),
            hair_color: hair_color(i).map(str::to_owned),
        })
        .collect()
}

/// diesel_bench's alternating colours, for workloads that filter on them.
pub fn black_or_brown(i: usize) -> Option<&'static str> {
    Some(if i.is_multiple_of(2) {
        "black"
    } else {
        "brown"
    })
}

/// No colour, as diesel_bench's trivial query has.
pub fn no_hair(_: usize) -> Option<&'static str> {
    None
}

/// Nests posts and comments under their parents, keeping the parents'
/// order: what every contender but entable does by hand for workload 4.
/// `posts` and `comments` arrive in key order, so each list stays in key
/// order.
pub fn group_loaded<U, P, C>(
    users: Vec<U>,
    posts: Vec<P>,
    comments: Vec<C>,
    user_id: impl Fn(&U) -> i32,
    post_id: impl Fn(&P) -> i32,
    post_user: impl Fn(&P) -> i32,
    comment_post: impl Fn(&C) -> i32,
) -> Tree<U, P, C> {
    use std::collections::HashMap;
    let mut comments_by_post: HashMap<i32, Vec<C>> = HashMap::with_capacity(posts.len());
    for comment in comments {
        comments_by_post
            .entry(comment_post(&comment))
            .or_default()
            .push(comment);
    }
    let mut posts_by_user: HashMap<i32, Vec<(P, Vec<C>)>> = HashMap::with_capacity(users.len());
    for post in posts {
        let comments = comments_by_post.remove(&post_id(&post)).unwrap_or_default();
        posts_by_user
            .entry(post_user(&post))
            .or_default()
            .push((post, comments));
    }
    users
        .into_iter()
        .map(|user| {
            let posts = posts_by_user.remove(&user_id(&user)).unwrap_or_default();
            (user, posts)
        })
        .collect()
}
