//! entable turns annotated Rust structs into SQL tables, validated DTOs
//! (Create, Update, Search) and typed repositories on PostgreSQL,
//! MySQL/MariaDB and SQLite.
//!
//! ```
//! use entable::prelude::*;
//!
//! #[derive(Entity, Debug)]
//! #[entity(table = "users")]
//! pub struct User {
//!     #[entity(primary_key, uuid_v4)]
//!     pub id: Uuid,
//!     #[entity(unique, max_length = 255)]
//!     pub email: String,
//!     pub name: Option<String>,
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> entable::Result<()> {
//! let schema = Schema::of([User::table()])?;
//! println!("{}", schema.to_sql(Dialect::Postgres));
//!
//! let db = Db::connect("sqlite::memory:").await?;
//! schema.create_all(&db).await?;
//! # Ok(())
//! # }
//! ```
//!
//! The attributes are documented in `docs/attributes.md`; every table's
//! metadata is a [`schema::TableMeta`] reached through [`Entity::table`].
//!
//! # Where to start
//! - [`Entity`]: what `#[derive(Entity)]` generates beside the struct; every
//!   attribute it takes, with examples and the type table, is in
//!   `docs/attributes.md` (and `#[derive(DbEnum)]` for enums stored as text).
//! - [`Db::connect`]: a pool on PostgreSQL, MySQL/MariaDB or SQLite, by URL.
//! - [`Schema`](schema::Schema): the DDL of your entities, rendered or run;
//!   for databases that live on, generated migrations (`docs/migrations.md`,
//!   feature `migrate`).
//! - [`Repo`]: `create`, `get`, `update`, `delete`, `upsert`, `search`,
//!   `find`, the bulk operations; [`query::Query`] and the column constants
//!   for everything else.
//! - [`dto`]: the Create/Update/Search building blocks ([`dto::Patch`],
//!   [`dto::Filter`], [`dto::Page`]) and reading request bodies
//!   ([`dto::from_json`]).
//! - [`Tx`], [`Db::transaction`], [`Db::run_tx`]: transactions, savepoints
//!   and retries.
//! - [`Hooks`], [`AuditContext`] and [`audit`]: code around changes, and the
//!   audit log.
//! - `entable::testing` and `#[entable::test]` (feature `testing`): a fresh
//!   database per backend for your own tests.
//!
//! # Cargo features
//! - `sqlite` (default), `postgres`, `mysql`: the backends [`Db`] can
//!   connect to. DDL for every dialect renders without any of them.
//!   SQLite runs on rusqlite ([`SqliteDriver::Rusqlite`]; `rusqlite` is
//!   the same feature by its driver's name).
//! - `sqlx-sqlite`: SQLite through sqlx-sqlite instead
//!   ([`SqliteDriver::Sqlx`]), for sharing a `sqlx::SqlitePool`
//!   (`Db::from`, `Db::as_sqlite`) and for `Query::select_as` on SQLite.
//! - `chrono` (default): `DateTime<Utc>`, `NaiveDateTime`, `NaiveDate`,
//!   `NaiveTime` columns.
//! - `time`: `OffsetDateTime`, `PrimitiveDateTime`, `Date`, `Time`
//!   columns (the `time` crate, re-exported as `entable::time`).
//! - `json` (default): `serde_json::Value` columns.
//! - `decimal`: exact decimal columns, `types::Numeric<P, S>`
//!   over `rust_decimal::Decimal` (re-exported as `entable::rust_decimal`).
//! - `migrate`: `entable::migrate` runs generated migrations with sqlx's
//!   migrator, and `entable::cli` is the `migrate`/`schema` command line
//!   (see `docs/migrations.md`).
//! - `testing`: `entable::testing` and `#[entable::test]`, fresh databases per
//!   backend for your own tests (in `[dev-dependencies]`).

#![warn(missing_docs, unreachable_pub)]
// Denied, not forbidden: the rusqlite driver's row cursor
// (driver/lite/rows.rs) is the one allowed exception.
#![deny(unsafe_code)]

pub mod audit;
pub mod backend;
#[cfg(feature = "migrate")]
pub mod cli;
mod conn;
mod db;
pub mod driver;
pub mod dto;
mod entity;
mod error;
mod exec;
mod health;
mod meta;
#[cfg(feature = "migrate")]
pub mod migrate;
#[cfg(feature = "decimal")]
mod numeric;
pub mod observe;
pub mod prelude;
pub mod query;
mod raw;
pub mod relation;
pub mod repo;
pub mod schema;
#[cfg(feature = "testing")]
pub mod testing;
mod tx;
pub mod types;
pub mod validate;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use audit::AuditContext;
pub use conn::Conn;
pub use db::{Db, PoolConfig, SqliteDriver};
pub use driver::{LiteSync, LiteThreading};
/// `#[entable::test]` (feature `testing`): runs an `async fn(db: Db)` test
/// once per configured backend, each time on a fresh database with the
/// entities' tables, dropped afterwards. Options: `schema = f` (a
/// `fn() -> Result<Schema, SchemaError>`; default: every registered
/// entity) and `crate = "path"`. See [`testing`] for the environment
/// variables and the seeding helpers.
#[cfg(feature = "testing")]
pub use entable_macros::test;
pub use entable_macros::{DbEnum, Entity};
pub use entity::{Entity, SingleKey};
pub use error::{Context, Error, Result};
pub use exec::{Exec, Inner};
pub use health::{ConnectRetry, Health};
pub use observe::observe;
pub use raw::RawSql;
pub use repo::Hooks;
pub use repo::Repo;
pub use sqlx;
pub use tx::{Isolation, Retry, Tx, TxError, TxOptions};
pub use uuid;

#[cfg(feature = "chrono")]
pub use chrono;
#[cfg(feature = "decimal")]
pub use rust_decimal;
pub use serde_json;
#[cfg(feature = "time")]
pub use time;
pub use validator;
