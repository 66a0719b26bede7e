//! The traits `#[derive(Entity)]` implements.

use crate::meta::TableMeta;

/// A struct stored as a table. Implemented by `#[derive(Entity)]`.
///
/// Besides this trait, the derive generates, for `struct Person`:
/// - the DTOs `PersonCreate`, `PersonUpdate`, `PersonSearch` and the sort
///   enum `PersonSort` (unless `#[entity(dto = false)]`; the attributes
///   and the rules of each type are in `docs/attributes.md`);
/// - the repository: [`Repo`](crate::Repo) (`Person::create`, `get`,
///   `update`, `delete`, `search`, `query`, the bulk operations);
/// - a typed column constant per field, in capitals (`Person::NAME`, a
///   [`Column`](crate::query::Column)), for the query DSL;
/// - a constant per relation field, used by [`Query::with`](crate::query::Query::with);
/// - the table's metadata, registered for [`Schema::from_registry`](crate::schema::Schema::from_registry).
///
/// ```
/// use entable::prelude::*;
///
/// /// People we know.
/// #[derive(Entity, Debug, Clone)]
/// pub struct Person {
///     #[entity(primary_key, auto_increment)]
///     pub id: i64,
///     #[entity(max_length = 80)]
///     pub name: String,
/// }
///
/// assert_eq!(Person::TABLE_NAME, "person"); // snake_case, not pluralised
/// let table = Person::table();
/// assert_eq!(table.primary_key, ["id"]);
/// assert_eq!(table.comment, Some("People we know."));
/// let _create = PersonCreate { name: "Ada".into() };
/// let _filter = Person::NAME.starts_with("A");
/// let _sort = PersonSort::Name;
/// ```
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
