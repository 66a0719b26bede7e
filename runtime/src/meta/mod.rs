//! What `#[derive(Entity)]` declares about a table, as plain data: tables,
//! columns, keys, indexes, checks, soft-delete markers, column types and
//! dialect identities. The bottom layer of the crate: everything else
//! reads it, it reads nothing else. Public under [`crate::schema`] and
//! [`crate::backend`].

mod dialect;
pub(crate) mod names;
mod soft_delete;
mod table;
pub(crate) mod types;

pub use dialect::Dialect;
pub use soft_delete::{SoftDelete, SoftDeleteKind};
pub use table::{
    Check, CheckMeta, ColumnMeta, DefaultValue, FkAction, ForeignKeyMeta, Generated, IndexMeta,
    LIVE_MARKER, SqlPerDialect, TableMeta,
};
