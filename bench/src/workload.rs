//! The workloads, modelled on Diesel's `diesel_bench`: their ids (shared
//! by the benchmarks, the test and the report), sizes, inputs and targets.

use crate::model::{NewUser, SearchParams};

/// One measured operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Workload {
    /// 1: every user.
    Trivial,
    /// 2: one user by primary key, cycling over 100 keys.
    ByKey,
    /// 3: users with a hair colour, left-joined with their posts.
    Medium,
    /// 4: users → posts → comments, eagerly loaded.
    Associations,
    /// 5: N users inserted (one statement where the library has one).
    Insert,
    /// 5: 100,000 users in one transaction.
    BulkInsert,
    /// 6a: one user renamed by key, the row returned.
    Update,
    /// 6b: a search with two filters, a sort and a page, with the total.
    Search,
}

impl Workload {
    /// Every workload, in report order.
    pub const ALL: [Workload; 8] = [
        Workload::Trivial,
        Workload::ByKey,
        Workload::Medium,
        Workload::Associations,
        Workload::Insert,
        Workload::BulkInsert,
        Workload::Update,
        Workload::Search,
    ];

    /// The id in benchmark names (`<backend>/<id>/<contender>/<size>`).
    pub fn id(self) -> &'static str {
        match self {
            Workload::Trivial => "1_trivial",
            Workload::ByKey => "2_by_key",
            Workload::Medium => "3_medium",
            Workload::Associations => "4_associations",
            Workload::Insert => "5_insert",
            Workload::BulkInsert => "5_bulk_insert",
            Workload::Update => "6_update",
            Workload::Search => "6_search",
        }
    }

    /// The workload with this id.
    pub fn from_id(id: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.id() == id)
    }

    /// What the report calls it.
    pub fn title(self) -> &'static str {
        match self {
            Workload::Trivial => "1 trivial query: all users",
            Workload::ByKey => "2 one user by key",
            Workload::Medium => "3 users ⟕ posts, filtered",
            Workload::Associations => "4 users → posts → comments",
            Workload::Insert => "5 insert N users",
            Workload::BulkInsert => "5 bulk insert",
            Workload::Update => "6 update one user by key",
            Workload::Search => "6 search: 2 filters, sort, page",
        }
    }

    /// The sizes measured (rows read, users loaded or rows inserted); `1`
    /// for workloads with one size.
    pub fn sizes(self) -> &'static [usize] {
        match self {
            Workload::Trivial => &[1, 100, 10_000],
            Workload::Medium => &[1, 100, 1_000],
            Workload::Associations => &[100],
            Workload::Insert => &[1, 100],
            Workload::BulkInsert => &[100_000],
            Workload::ByKey | Workload::Update | Workload::Search => &[1],
        }
    }

    /// The largest entable ÷ raw sqlx ratio of median times that meets the
    /// target. The bulk insert is judged in rows per second instead
    /// ([`BULK_RAW_TARGET`]); its time ratio here is the same target.
    pub fn sqlx_target(self) -> f64 {
        match self {
            Workload::Trivial | Workload::ByKey | Workload::Insert => 1.05,
            Workload::Medium | Workload::Associations | Workload::Update | Workload::Search => 1.10,
            Workload::BulkInsert => 1.0 / BULK_RAW_TARGET,
        }
    }
}

/// Issue 7's bulk-insert target: entable's rows per second at least this
/// share of the best raw method's on the same backend (binary `COPY` on
/// PostgreSQL, multi-row `VALUES` elsewhere).
pub const BULK_RAW_TARGET: f64 = 0.8;

/// The hair colour workload 3 filters on.
pub const HAIR_COLOR: &str = "black";

/// Workload 6b's request: black-haired users whose name starts with
/// `User 1`, by name descending, page 2 of 20 (55 of the 1,000 seeded
/// users match).
pub fn search_params() -> SearchParams {
    SearchParams {
        hair_color: HAIR_COLOR.to_owned(),
        name_prefix: "User 1".to_owned(),
        page: 2,
        page_size: 20,
    }
}

/// The key read or updated by iteration `i` of workloads 2 and 6a: cycles
/// over the seeded keys, so no single row stays hot in a cache of ours.
pub fn key(i: u64) -> i32 {
    let n = crate::fixture::KEYED_USERS as u64;
    // In range: `i % n + 1` is at most KEYED_USERS.
    i32::try_from(i % n + 1).unwrap_or(1)
}

/// The rows workload 5 inserts: diesel_bench's `User {i}` with a colour.
pub fn users_to_insert(n: usize) -> Vec<NewUser> {
    crate::model::new_users(n, |_| Some("hair_color"))
}
