//! Seeing every statement: tracing spans, metrics, the statement
//! observer, slow statements and N+1 detection.
//!
//! Everything here is fed from one place, the statement path every
//! statement takes (`driver::statement`), and from the repository
//! operation around it (`with_conn!`): no call site reports anything
//! itself.
//!
//! - **tracing**: a span per repository operation (target
//!   `entable::operation`, INFO, named `Entity::operation` through
//!   `otel.name`) and one per statement inside it (target
//!   `entable::statement`, INFO) with OpenTelemetry's database fields
//!   (`db.system.name`, `db.operation.name`, `db.collection.name`,
//!   `db.response.returned_rows`, `error.type`) and entable's
//!   (`entable.entity`, `entable.shape`, `entable.duration_us`,
//!   `entable.control`). The SQL text (`db.query.text`) is recorded only
//!   when DEBUG is enabled for `entable::statement`, where each statement
//!   also ends with a DEBUG event. Bound values are never recorded.
//!   entable installs no subscriber.
//! - **metrics** (cargo feature `metrics`): see the table in
//!   `docs/observability.md`.
//! - **The statement observer**: [`observe`] runs a future and returns
//!   every statement it sent.
//! - **Slow statements**: [`PoolConfig::slow_statement`](crate::PoolConfig::slow_statement)
//!   or [`Db::set_slow_statement`](crate::Db::set_slow_statement).
//! - **N+1**: [`NPlusOne`], in a [`Watch`]ed block.
//! - **Index advice**: [`Query::explain`](crate::query::Query::explain)
//!   gives a [`Plan`]; [`Plan::advice`] the indexes it says are missing.
//!
//! ```
//! use entable::prelude::*;
//!
//! #[derive(Entity, Debug, Clone)]
//! pub struct Note {
//!     #[entity(primary_key, auto_increment)]
//!     pub id: i64,
//!     pub body: String,
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> entable::Result<()> {
//! let db = Db::connect("sqlite::memory:").await?;
//! Schema::of([Note::table()])?.create_all(&db).await?;
//! let (note, log) = entable::observe(async {
//!     let tx = db.begin().await?;
//!     let note = Note::create(&tx, NoteCreate { body: "hi".into() }).await?;
//!     tx.commit().await?;
//!     Ok::<_, entable::Error>(note)
//! })
//! .await;
//! assert_eq!(note?.body, "hi");
//! assert_eq!(log.count(), 1); // the INSERT
//! assert_eq!(log.control_count(), 2); // BEGIN, COMMIT
//! assert_eq!(log.statements()[1].verb(), "INSERT");
//! assert_eq!(log.statements()[1].table(), Some(Note::table().name));
//! # Ok(())
//! # }
//! ```

pub(crate) mod kind;
pub(crate) mod metrics;
pub(crate) mod plan;
mod record;
pub(crate) mod shape;
pub(crate) mod site;
pub(crate) mod watch;

use std::future::Future;

pub use plan::{DEFAULT_MIN_ROWS, Plan, Scan, Suggestion};
pub use record::{Log, Statement};
pub use shape::{ShapeId, table, verb};
pub use watch::{NPlusOne, Watch};

/// Runs `block` and returns its output with the [`Log`] of every statement
/// it sent (on this task: statements of tasks it spawns, and of other
/// tasks running meanwhile, are not in it), transaction control included
/// and marked. N+1 patterns in it are reported as WARN events
/// ([`NPlusOne::default`]). Works through transactions, eager loads, bulk
/// calls and hooks. See [`Watch`] for other settings.
pub async fn observe<F: Future>(block: F) -> (F::Output, Log) {
    Watch::new()
        .collect()
        .n_plus_one(NPlusOne::default())
        .run(block)
        .await
}

/// A pool's state: [`Db::health`](crate::Db::health) reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolStats {
    /// Connections open (in use and idle).
    pub size: u32,
    /// Connections open and idle.
    pub idle: u32,
    /// Tasks waiting for a connection.
    pub waiting: u32,
    /// Most connections the pool opens.
    pub max: u32,
}
