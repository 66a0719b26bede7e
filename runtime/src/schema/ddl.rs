//! `CREATE TABLE`, `CREATE INDEX` and `DROP TABLE` text for one table.
//!
//! Rendered from a [`TableSnapshot`], the one description both a fresh
//! schema ([`Schema::create_statements`](super::Schema::create_statements))
//! and a migration (which may recreate a table as an older snapshot had it)
//! are written from. What differs per dialect is asked of
//! [`DialectRules`](crate::backend::DialectRules).

use crate::backend::{AutoIncrement, Dialect};

pub use super::columns::column_type_in;
use super::snapshot::{
    self, CheckSnapshot, ColumnSnapshot, ForeignKeySnapshot, IndexSnapshot, TableSnapshot,
};
use crate::meta::{ForeignKeyMeta, LIVE_MARKER, SoftDeleteKind, TableMeta};

/// `"schema"."table"` (or just `"table"`) quoted for `dialect`.
pub fn table_ident(dialect: Dialect, table: &TableMeta) -> String {
    let mut out = String::new();
    dialect.quote_table(&mut out, table.schema, table.name);
    out
}

/// A table named `schema.name` or `name` (as snapshots name them), quoted.
/// Identifiers never hold a `.` (the derive accepts letters, digits and
/// `_` only), so the first one separates the schema.
pub(crate) fn qualified_ident(dialect: Dialect, qualified: &str) -> String {
    let mut out = String::new();
    match qualified.split_once('.') {
        Some((schema, name)) => dialect.quote_table(&mut out, Some(schema), name),
        None => dialect.quote_table(&mut out, None, qualified),
    }
    out
}

/// `CREATE TABLE` for `table`. Foreign keys named in `deferred` are left
/// out, to be added by [`add_foreign_key`] once their target exists.
pub fn create_table(
    dialect: Dialect,
    table: &TableMeta,
    if_not_exists: bool,
    deferred: &[&ForeignKeyMeta],
) -> String {
    let table = snapshot::table_of(table);
    render_create_table(dialect, &table, if_not_exists, |fk| {
        !deferred.iter().any(|d| d.name == fk.name)
    })
}

/// `CREATE TABLE` for a snapshot of a table, with the foreign keys for
/// which `inline` is true declared in it.
pub(crate) fn render_create_table(
    dialect: Dialect,
    table: &TableSnapshot,
    if_not_exists: bool,
    inline: impl Fn(&ForeignKeySnapshot) -> bool,
) -> String {
    render_create_table_as(
        dialect,
        table,
        &table.qualified_name(),
        if_not_exists,
        inline,
    )
}

/// [`render_create_table`] under another name (a SQLite rebuild creates
/// the new table beside the old one).
pub(crate) fn render_create_table_as(
    dialect: Dialect,
    table: &TableSnapshot,
    name: &str,
    if_not_exists: bool,
    inline: impl Fn(&ForeignKeySnapshot) -> bool,
) -> String {
    let rules = dialect.rules();
    let mut sql = String::from("CREATE TABLE ");
    if if_not_exists {
        sql.push_str("IF NOT EXISTS ");
    }
    sql.push_str(&qualified_ident(dialect, name));
    sql.push_str(" (");

    let mut pk_inline = false;
    let mut first = true;
    let mut item = |sql: &mut String| {
        sql.push_str(if first { "\n  " } else { ",\n  " });
        first = false;
    };
    for column in &table.columns {
        item(&mut sql);
        pk_inline |= push_column_definition(dialect, &mut sql, column);
    }
    if let Some(marker) = live_marker_source(dialect, table) {
        item(&mut sql);
        push_live_marker(dialect, &mut sql, marker);
    }
    if !pk_inline && !table.primary_key.is_empty() {
        item(&mut sql);
        sql.push_str("CONSTRAINT ");
        dialect.quote_ident(&mut sql, &table.primary_key_name);
        sql.push_str(" PRIMARY KEY (");
        push_ident_list(dialect, &mut sql, &table.primary_key);
        sql.push(')');
    }
    for fk in table.foreign_keys.iter().filter(|fk| inline(fk)) {
        item(&mut sql);
        sql.push_str("CONSTRAINT ");
        dialect.quote_ident(&mut sql, &fk.name);
        sql.push_str(" FOREIGN KEY ");
        push_foreign_key_definition(dialect, &mut sql, fk);
    }
    for check in &table.checks {
        item(&mut sql);
        push_check_definition(dialect, &mut sql, check);
    }
    sql.push_str("\n)");
    sql.push_str(rules.table_options());
    if dialect == Dialect::MySql
        && let Some(comment) = &table.comment
    {
        sql.push_str(" COMMENT=");
        dialect.quote_str(&mut sql, comment);
    }
    sql
}

/// `CONSTRAINT "name" CHECK (condition)`.
pub(crate) fn push_check_definition(dialect: Dialect, sql: &mut String, check: &CheckSnapshot) {
    sql.push_str("CONSTRAINT ");
    dialect.quote_ident(sql, &check.name);
    sql.push_str(" CHECK (");
    sql.push_str(check.sql.get(dialect));
    sql.push(')');
}

/// PostgreSQL's `COMMENT ON TABLE` and `COMMENT ON COLUMN` for a table
/// just created (MySQL declares comments in `CREATE TABLE`; SQLite keeps
/// them in the snapshot only).
pub fn comment_statements(dialect: Dialect, table: &TableMeta) -> Vec<String> {
    render_comments(dialect, &snapshot::table_of(table))
}

/// [`comment_statements`] from a snapshot.
pub(crate) fn render_comments(dialect: Dialect, table: &TableSnapshot) -> Vec<String> {
    if dialect != Dialect::Postgres {
        return Vec::new();
    }
    let name = table.qualified_name();
    let mut out = Vec::new();
    if table.comment.is_some() {
        out.push(table_comment(dialect, &name, table.comment.as_deref()));
    }
    for column in table.columns.iter().filter(|c| c.comment.is_some()) {
        out.push(column_comment(
            dialect,
            &name,
            &column.name,
            column.comment.as_deref(),
        ));
    }
    out
}

/// PostgreSQL: `COMMENT ON TABLE … IS '…'` (`IS NULL` removes it).
pub(crate) fn table_comment(dialect: Dialect, table: &str, comment: Option<&str>) -> String {
    let mut sql = format!("COMMENT ON TABLE {} IS ", qualified_ident(dialect, table));
    push_comment_text(dialect, &mut sql, comment);
    sql
}

/// PostgreSQL: `COMMENT ON COLUMN … IS '…'` (`IS NULL` removes it).
pub(crate) fn column_comment(
    dialect: Dialect,
    table: &str,
    column: &str,
    comment: Option<&str>,
) -> String {
    let mut sql = format!("COMMENT ON COLUMN {}.", qualified_ident(dialect, table));
    dialect.quote_ident(&mut sql, column);
    sql.push_str(" IS ");
    push_comment_text(dialect, &mut sql, comment);
    sql
}

/// A comment as a string literal: DDL takes no bind parameters, so the
/// text is escaped for the dialect (quotes doubled; backslashes doubled
/// too on MySQL).
fn push_comment_text(dialect: Dialect, sql: &mut String, comment: Option<&str>) {
    match comment {
        Some(text) => dialect.quote_str(sql, text),
        None => sql.push_str("NULL"),
    }
}

/// `"name" TYPE [NOT NULL] [DEFAULT …]`, or the dialect's auto-increment
/// declaration. Returns true when that declaration is the primary key too
/// (SQLite's `INTEGER PRIMARY KEY AUTOINCREMENT`).
pub(crate) fn push_column_definition(
    dialect: Dialect,
    sql: &mut String,
    column: &ColumnSnapshot,
) -> bool {
    dialect.quote_ident(sql, &column.name);
    sql.push(' ');
    let ty = column.sql_type.get(dialect);
    if column.auto_increment {
        match dialect.rules().auto_increment() {
            AutoIncrement::InlinePrimaryKey(decl) => {
                sql.push_str(decl);
                return true;
            }
            AutoIncrement::Suffix(suffix) => {
                sql.push_str(ty);
                sql.push_str(" NOT NULL ");
                sql.push_str(suffix);
                push_column_comment(dialect, sql, column);
                return false;
            }
        }
    }
    sql.push_str(ty);
    if !column.nullable {
        sql.push_str(" NOT NULL");
    }
    if let Some(default) = &column.default {
        sql.push_str(" DEFAULT ");
        sql.push_str(default.get(dialect));
    }
    push_column_comment(dialect, sql, column);
    false
}

/// MySQL's inline ` COMMENT '…'` of a column definition.
fn push_column_comment(dialect: Dialect, sql: &mut String, column: &ColumnSnapshot) {
    if dialect == Dialect::MySql
        && let Some(comment) = &column.comment
    {
        sql.push_str(" COMMENT ");
        dialect.quote_str(sql, comment);
    }
}

/// The soft-delete marker MySQL's `entable_live` column is computed from,
/// when `table` needs that column there (see [`LIVE_MARKER`]).
pub(crate) fn live_marker_source(
    dialect: Dialect,
    table: &TableSnapshot,
) -> Option<(&str, SoftDeleteKind)> {
    let marker = table.soft_delete_marker()?;
    let needed = !dialect.rules().partial_indexes() && table.indexes.iter().any(|i| i.live);
    needed.then_some(marker)
}

/// The generated column behind `unique_live` indexes on MySQL.
pub(crate) fn push_live_marker(
    dialect: Dialect,
    sql: &mut String,
    (column, kind): (&str, SoftDeleteKind),
) {
    dialect.quote_ident(sql, LIVE_MARKER);
    sql.push_str(" TINYINT GENERATED ALWAYS AS (CASE WHEN ");
    dialect.quote_ident(sql, column);
    kind.push_condition(dialect, sql, true);
    sql.push_str(" THEN 1 END) STORED");
}

/// `CREATE [UNIQUE] INDEX` statements for `table`, in declaration order.
pub fn create_indexes(dialect: Dialect, table: &TableMeta, if_not_exists: bool) -> Vec<String> {
    let table = snapshot::table_of(table);
    table
        .indexes
        .iter()
        .map(|index| render_create_index(dialect, &table, index, if_not_exists))
        .collect()
}

/// `CREATE [UNIQUE] INDEX` for one index of a table snapshot.
pub(crate) fn render_create_index(
    dialect: Dialect,
    table: &TableSnapshot,
    index: &IndexSnapshot,
    if_not_exists: bool,
) -> String {
    let mut sql = String::from(if index.unique {
        "CREATE UNIQUE INDEX "
    } else {
        "CREATE INDEX "
    });
    if if_not_exists {
        sql.push_str("IF NOT EXISTS ");
    }
    dialect.quote_ident(&mut sql, &index.name);
    sql.push_str(" ON ");
    sql.push_str(&qualified_ident(dialect, &table.qualified_name()));
    sql.push_str(" (");
    push_ident_list(dialect, &mut sql, &index.columns);
    match table.soft_delete_marker().filter(|_| index.live) {
        Some((column, kind)) if dialect.rules().partial_indexes() => {
            sql.push_str(") WHERE ");
            dialect.quote_ident(&mut sql, column);
            kind.push_condition(dialect, &mut sql, true);
        }
        Some(_) => {
            sql.push_str(", ");
            dialect.quote_ident(&mut sql, LIVE_MARKER);
            sql.push(')');
        }
        None => sql.push(')'),
    }
    sql
}

/// `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY …`, for keys that close a
/// dependency cycle.
pub fn add_foreign_key(
    dialect: Dialect,
    table: &TableMeta,
    fk: &ForeignKeyMeta,
    if_not_exists: bool,
) -> String {
    let table = snapshot::table_of(table);
    let fk = table
        .foreign_keys
        .iter()
        .find(|f| f.name == fk.name)
        .cloned()
        .unwrap_or_else(|| snapshot::foreign_key_of(fk));
    render_add_foreign_key(dialect, &table.qualified_name(), &fk, if_not_exists)
}

/// `ALTER TABLE {table} ADD CONSTRAINT … FOREIGN KEY …` from a snapshot.
pub(crate) fn render_add_foreign_key(
    dialect: Dialect,
    table: &str,
    fk: &ForeignKeySnapshot,
    if_not_exists: bool,
) -> String {
    let mut name = String::new();
    dialect.quote_ident(&mut name, &fk.name);
    let mut definition = String::new();
    push_foreign_key_definition(dialect, &mut definition, fk);
    dialect.rules().add_foreign_key(
        &qualified_ident(dialect, table),
        &name,
        &definition,
        if_not_exists,
    )
}

/// `DROP TABLE IF EXISTS` for `table`.
pub fn drop_table(dialect: Dialect, table: &TableMeta) -> String {
    format!("DROP TABLE IF EXISTS {}", table_ident(dialect, table))
}

/// `("col") REFERENCES "target" ("id") ON DELETE … ON UPDATE …`.
fn push_foreign_key_definition(dialect: Dialect, sql: &mut String, fk: &ForeignKeySnapshot) {
    sql.push('(');
    dialect.quote_ident(sql, &fk.column);
    sql.push_str(") REFERENCES ");
    sql.push_str(&qualified_ident(dialect, &fk.references));
    sql.push_str(" (");
    dialect.quote_ident(sql, &fk.references_column);
    sql.push_str(") ON DELETE ");
    sql.push_str(&fk.on_delete);
    sql.push_str(" ON UPDATE ");
    sql.push_str(&fk.on_update);
}

pub(crate) fn push_ident_list(dialect: Dialect, sql: &mut String, idents: &[impl AsRef<str>]) {
    for (i, ident) in idents.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        dialect.quote_ident(sql, ident.as_ref());
    }
}
