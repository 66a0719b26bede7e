//! The runtime's introspection (`entable::schema::introspect`), with the
//! failures a test wants as panics.

use entable::Db;
use entable::backend::Dialect;
use entable::schema::TableMeta;
pub use entable::schema::introspect::TableInfo;

/// What a database created from `table` holds.
pub fn expected(dialect: Dialect, table: &TableMeta) -> TableInfo {
    entable::schema::introspect::expected(dialect, table)
}

/// Names of the tables in the database.
pub async fn table_names(db: &Db) -> Vec<String> {
    entable::schema::introspect::table_names(db)
        .await
        .expect("table names")
}

/// What the server reports for `table`, which must exist.
pub async fn table(db: &Db, table: &TableMeta) -> TableInfo {
    entable::schema::introspect::table(db, table)
        .await
        .expect("introspection")
        .unwrap_or_else(|| panic!("table `{}` exists", table.name))
}

/// Every table of the database, with columns sorted by name: a table
/// altered by migrations keeps added columns last, which is not a
/// difference in the schema.
pub async fn database(db: &Db) -> Vec<TableInfo> {
    let mut tables = entable::schema::introspect::database(db)
        .await
        .expect("introspection");
    for table in &mut tables {
        table.columns.sort_by(|a, b| a.name.cmp(&b.name));
    }
    tables
}
