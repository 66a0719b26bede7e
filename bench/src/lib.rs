//! entable's benchmark: the workloads of Diesel's `diesel_bench`, run by
//! entable, hand-written sqlx, SeaORM and Diesel on the same databases and
//! data. See `README.md` for how to run it and what each contender uses.
//!
//! - [`target`]: the backends of a run and the database created on each;
//! - [`fixture`]: the schema, and the data each workload resets and seeds;
//! - [`workload`]: the workloads, their sizes, inputs and targets;
//! - [`contender`]: the trait every contender implements, one method per
//!   workload; [`contenders`]: one module per library;
//! - [`durability`]: the same journal/commit settings for every
//!   contender, and how each contender's connection reports them;
//! - [`model`]: the rows results are compared in;
//! - [`report`]: criterion's estimates → the markdown table;
//! - [`timing`]: what the timing examples share.

pub mod contender;
pub mod contenders;
pub mod durability;
pub mod fixture;
pub mod model;
pub mod report;
pub mod target;
pub mod timing;
pub mod workload;

/// Errors of any library under test, boxed: a benchmark only reports them.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
/// A result with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
