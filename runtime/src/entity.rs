//! The traits `#[derive(Entity)]` implements.

use crate::schema::TableMeta;

/// A struct stored as a table. Implemented by `#[derive(Entity)]`.
pub trait Entity: Sized + 'static {
    /// The table name (without schema).
    const TABLE_NAME: &'static str;

    /// The table's static metadata.
    fn table() -> &'static TableMeta;
}

/// An entity whose primary key is one column, so other entities can refer
/// to it with `#[entity(references = …)]`. Implemented by
/// `#[derive(Entity)]` for single-column keys.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be referenced: it has no single-column primary key",
    label = "`references` needs an entity with exactly one primary key field",
    note = "a foreign key column can only refer to an entity whose key is one field marked #[entity(primary_key)]"
)]
pub trait SingleKey: Entity {
    /// The Rust type of the key.
    type Key;
}
