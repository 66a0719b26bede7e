//! Typed repositories: what `#[derive(Entity)]` plugs into, and the
//! operations every entity gets through [`Repo`].
//!
//! Generated code implements [`Model`] (the entity's key and DTO types, its
//! statement cache) and [`Persist<B>`] for every backend `B` (decoding rows,
//! binding keys, inserts, updates and search conditions). The operations are
//! written once here. On a [`Tx`](crate::Tx) all of an operation's
//! statements share its connection; on a [`Db`](crate::Db) each statement
//! takes one from the pool.

pub(crate) mod bulk;
mod bulk_change;
mod bulk_chunked;
pub(crate) mod bulk_insert;
mod bulk_stream;
mod change;
mod delete;
#[cfg(feature = "json")]
mod explain;
pub mod filters;
mod hooks;
mod lifecycle;
mod ops;
mod outcome;
mod rows;
pub mod statements;

use crate::driver::{Args, Backend, ColumnValue, Row};
use crate::dto::{PageRequest, SortKey, SortList};
use crate::entity::Entity;
use crate::error::Context;
use crate::query::Expr;

pub use filters::WhereWriter;

/// How many rows one multi-row insert of `columns` values per row takes on
/// `dialect`: as many as the bind-parameter limit allows (at most 1,000 on
/// MySQL, where larger statements are slower).
pub fn bulk_rows_per_statement(dialect: crate::backend::Dialect, columns: usize) -> usize {
    bulk_insert::rows_per_statement(dialect, columns)
}
pub use hooks::Hooks;
pub use ops::Repo;
pub use outcome::{UpsertOutcome, Upserted};
pub use statements::{ColumnSet, SqlCache};

/// An error while binding values.
pub type BindError = sqlx::error::BoxDynError;

/// Where an insert's values go: bind arguments, or (PostgreSQL) a binary
/// `COPY` row.
pub trait ValueSink<B: Backend> {
    /// Appends `value`.
    fn value<T: ColumnValue<B>>(&mut self, value: &T) -> Result<(), BindError>;
    /// Appends `value`, which the sink may keep without copying.
    fn value_owned<T: ColumnValue<B>>(&mut self, value: T) -> Result<(), BindError> {
        self.value(&value)
    }
}

impl<B: Backend> ValueSink<B> for crate::driver::CopyRows {
    fn value<T: ColumnValue<B>>(&mut self, value: &T) -> Result<(), BindError> {
        crate::backend::values::check(B::DIALECT, value)?;
        value.copy_value(self)
    }
}

/// Bind arguments as a [`ValueSink`].
pub struct ArgsSink<'a, B: Backend>(pub &'a mut Args<B>);

impl<B: Backend> ValueSink<B> for ArgsSink<'_, B> {
    fn value<T: ColumnValue<B>>(&mut self, value: &T) -> Result<(), BindError> {
        crate::driver::bind::<B, T>(self.0, value)
    }

    fn value_owned<T: ColumnValue<B>>(&mut self, value: T) -> Result<(), BindError> {
        crate::driver::bind_owned::<B, T>(self.0, value)
    }
}

/// An entity with generated DTOs and a repository. Implemented by
/// `#[derive(Entity)]` (unless `dto = false`).
pub trait Model: Entity + Send + Sync + Unpin {
    /// The primary key: the key field's type, or a tuple for a composite key.
    type Key: Clone + std::fmt::Debug + Send + Sync + 'static;
    /// The generated Create type.
    type Create: validator::Validate + Send + Sync;
    /// The generated Update type.
    type Update: validator::Validate + Clone + Send + Sync;
    /// The generated Search type.
    type Search: Send + Sync;
    /// The generated sort-key enum.
    type Sort: SortKey;

    /// The entity's statement cache.
    fn sql() -> &'static SqlCache;
    /// This row's key.
    fn key(&self) -> Self::Key;
    /// The key of a row whose auto-increment key the database reported.
    fn key_from_insert_id(id: u64) -> Option<Self::Key>;
    /// The columns an insert of `input` writes (what
    /// [`Persist::bind_create`] binds), without binding anything.
    fn create_columns(input: &Self::Create) -> ColumnSet;
    /// Whether an update sets nothing.
    fn update_is_empty(update: &Self::Update) -> bool;
    /// The sort a search asks for.
    fn search_sort(search: &Self::Search) -> &SortList<Self::Sort>;
    /// The page a search asks for.
    fn search_page(search: &Self::Search) -> PageRequest;
    /// A search's conditions as an expression.
    fn search_filter(search: &Self::Search) -> Expr<Self>;
    /// Rows whose key is one of `keys`.
    fn key_filter(keys: &[Self::Key]) -> Expr<Self>;
    /// The version an update expects the row to have (`#[entity(version)]`).
    fn expected_version(update: &Self::Update) -> Option<i64> {
        let _ = update;
        None
    }
    /// This row's version (`#[entity(version)]`).
    fn version(&self) -> Option<i64> {
        None
    }
    /// Whether the entity implements [`Hooks`] itself
    /// (`#[entity(hooks)]`).
    const HOOKS: bool = false;
    /// Whether validating a Create value can fail (the entity has rules on
    /// its Create fields). Without rules, a bulk insert streams its rows
    /// into statements instead of collecting them to validate first.
    const VALIDATES_CREATE: bool = true;
    /// The fields the audit log shows of this row (`#[entity(audit)]`).
    fn audit_fields(&self) -> Vec<crate::audit::AuditField> {
        Vec::new()
    }
    /// `key` as the audit log stores it.
    fn audit_key(key: &Self::Key) -> String {
        format!("{key:?}")
    }
}

/// The error context of `operation` on `E`.
pub(crate) fn context<E: Entity>(operation: &'static str) -> Context {
    let table = E::table();
    Context {
        entity: table.entity,
        operation,
    }
}

/// Reading and writing an entity on backend `B`. Implemented by
/// `#[derive(Entity)]` for every backend its field types support.
pub trait Persist<B: Backend>: Model {
    /// Decodes a row selected with the entity's full column list.
    fn decode(row: &Row<B>) -> Result<Self, sqlx::Error> {
        Self::decode_at(row, 0)
    }
    /// Decodes the entity's full column list starting at column `at` (the
    /// second table of a join).
    fn decode_at(row: &Row<B>, at: usize) -> Result<Self, sqlx::Error>;
    /// Binds a key's values, in primary-key order.
    fn bind_key(key: &Self::Key, args: &mut Args<B>) -> Result<(), BindError>;
    /// Writes the values an insert writes to `sink`, in column order;
    /// returns which columns they are and the new row's key when it is
    /// known before inserting.
    fn write_create<S: ValueSink<B>>(
        input: &Self::Create,
        sink: &mut S,
    ) -> Result<(ColumnSet, Option<Self::Key>), BindError>;
    /// [`write_create`](Self::write_create) taking the input by value:
    /// values other than the key move into `sink` instead of being copied.
    fn write_create_owned<S: ValueSink<B>>(
        input: Self::Create,
        sink: &mut S,
    ) -> Result<(ColumnSet, Option<Self::Key>), BindError>;
    /// [`write_create`](Self::write_create) into bind arguments.
    fn bind_create(
        input: &Self::Create,
        args: &mut Args<B>,
    ) -> Result<(ColumnSet, Option<Self::Key>), BindError> {
        Self::write_create(input, &mut ArgsSink(args))
    }
    /// Binds the values an update sets; returns which columns they are.
    fn bind_update(input: &Self::Update, args: &mut Args<B>) -> Result<ColumnSet, BindError>;
    /// Binds the values of a soft delete (the time of a `deleted_at`, then
    /// `updated_at` if the entity has one) or, with `restore`, of a restore
    /// (`updated_at` only). A flag's values are literals in the statement
    /// and bind nothing. Generated for soft-deleting entities.
    fn bind_soft_delete(restore: bool, args: &mut Args<B>) -> Result<(), BindError> {
        let _ = (restore, args);
        Ok(())
    }
    /// Binds the Create values of `columns` (a subset of what
    /// [`bind_create`](Self::bind_create) wrote), in column order.
    fn bind_create_columns(
        input: &Self::Create,
        columns: ColumnSet,
        args: &mut Args<B>,
    ) -> Result<(), BindError>;
}

macro_rules! on_backend {
    ($name:ident, $feature:literal, $backend:ident) => {
        #[doc = concat!("`Persist` on the `", $feature, "` backend when that feature is enabled.")]
        #[cfg(feature = $feature)]
        pub trait $name: Persist<crate::driver::$backend> {}
        #[cfg(feature = $feature)]
        impl<T: Persist<crate::driver::$backend>> $name for T {}
        #[doc = concat!("`Persist` on the `", $feature, "` backend when that feature is enabled.")]
        #[cfg(not(feature = $feature))]
        pub trait $name {}
        #[cfg(not(feature = $feature))]
        impl<T> $name for T {}
    };
}
on_backend!(OnPostgres, "postgres", Pg);
on_backend!(OnMySql, "mysql", MySql);
on_backend!(OnSqlite, "sqlx-sqlite", Sqlite);
on_backend!(OnLite, "rusqlite", Lite);

/// `Persist` on every backend this build enables.
pub trait OnEveryBackend: OnPostgres + OnMySql + OnSqlite + OnLite {}
impl<T: OnPostgres + OnMySql + OnSqlite + OnLite> OnEveryBackend for T {}
