//! What every contender implements: one method per workload, written the
//! way that library's users write it.
//!
//! Each method returns the library's own types, as its users get them; the
//! associated types convert into [`crate::model`] afterwards, outside the
//! timed code, so the results can be compared.

use std::future::Future;

use crate::Result;
use crate::durability::Durability;
use crate::model::{self, NewUser, SearchParams};
use crate::target::Target;

/// Whether a contender can bulk insert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bulk {
    /// It can: [`Contender::bulk_insert_users`] works.
    Supported,
    /// The library has no way to do it; the report prints the reason.
    Unsupported(&'static str),
}

/// A library under test. Methods take `&self`: each call checks a
/// connection out of the contender's pool, as application code does.
///
/// The futures need not be `Send`: benchmarks and tests drive them with
/// `block_on`, and Diesel's synchronous connections run inline.
pub trait Contender: Sized {
    /// The column name in the report.
    const NAME: &'static str;
    /// Whether [`Contender::bulk_insert_users`] is available.
    const BULK: Bulk = Bulk::Supported;
    /// A user row.
    type User: Into<model::User>;
    /// Workload 3's result.
    type Joined: Into<model::Joined>;
    /// Workload 4's result.
    type Loaded: Into<model::Loaded>;
    /// Workload 6b's result.
    type Page: Into<model::Page>;

    /// Connects to the target's database; `None` when this build of the
    /// contender cannot reach that backend (Diesel on MySQL without the
    /// `diesel-mysql` feature).
    fn connect(target: &Target) -> impl Future<Output = Result<Option<Self>>>;

    /// Closes the pool, so the database can be dropped.
    fn close(self) -> impl Future<Output = ()>;

    /// The durability settings ([`crate::durability::probes`]) as one
    /// connection of this contender's pool reports them, asked through
    /// the library itself.
    fn durability(&self) -> impl Future<Output = Result<Durability>>;

    /// Workload 1: every user, in key order.
    fn all_users(&self) -> impl Future<Output = Result<Vec<Self::User>>>;

    /// Workload 2: one user by primary key.
    fn user_by_id(&self, id: i32) -> impl Future<Output = Result<Option<Self::User>>>;

    /// Workload 3: users with `hair_color` and their posts, if any.
    fn users_with_posts(&self, hair_color: &str) -> impl Future<Output = Result<Self::Joined>>;

    /// Workload 4: every user with their posts with their comments.
    fn users_posts_comments(&self) -> impl Future<Output = Result<Self::Loaded>>;

    /// Workload 5: inserts `users` (one statement where the library can).
    fn insert_users(&self, users: &[NewUser]) -> impl Future<Output = Result<()>>;

    /// Workload 5, bulk: inserts many users in one transaction (an error
    /// when [`Contender::BULK`] says it is unsupported).
    fn bulk_insert_users(&self, users: &[NewUser]) -> impl Future<Output = Result<()>>;

    /// Workload 6a: renames user `id` and returns the row as stored.
    fn update_user(&self, id: i32, name: &str) -> impl Future<Output = Result<Self::User>>;

    /// Workload 6b: one page of a filtered, sorted search, with the total.
    fn search_users(&self, params: &SearchParams) -> impl Future<Output = Result<Self::Page>>;
}
