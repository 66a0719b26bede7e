//! A migration's statements per dialect: each [`Change`] as the SQL that
//! makes it, with SQLite's table rebuild where `ALTER TABLE` cannot.
//!
//! SQLite alters little in place (rename, add a column with a constant
//! default, indexes). Any other change to a table (dropping or altering a
//! column, the primary key, foreign keys) rebuilds it the way SQLite's
//! documentation prescribes: create the new table beside the old, copy the
//! rows, drop the old, rename the new, recreate the indexes, then check
//! every foreign key. Dropping a table, like the rebuild, must not fire
//! `ON DELETE` actions in the tables that referred to it, so such a script
//! turns foreign keys off around its own transaction (which sqlx is told
//! to leave to it with `-- no-transaction`).

use super::ddl::{
    column_comment, live_marker_source, push_check_definition, push_column_definition,
    push_ident_list, push_live_marker, qualified_ident, render_add_foreign_key, render_comments,
    render_create_index, render_create_table, render_create_table_as, table_comment,
};
use super::diff::{Change, Renames};
use super::snapshot::{ColumnSnapshot, ForeignKeySnapshot, Snapshot, TableSnapshot};
use crate::backend::Dialect;
use crate::meta::{LIVE_MARKER, SoftDeleteKind};

mod marker;
mod server;
mod sqlite;

use marker::MarkerChanges;
use server::{needed_by_foreign_key, server_statements};

/// The statements of one direction of a migration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Script {
    /// Each statement, preceded by `--` lines saying what it does.
    pub(crate) statements: Vec<String>,
    /// The script runs its own transaction (SQLite with foreign keys off).
    pub(crate) no_transaction: bool,
}

/// The statements that take a database from `old` to `new` on `dialect`;
/// `changes` is `diff_with(old, new, renames)`.
///
/// With `fill`, a NOT NULL column without default that comes (back) to a
/// table holding rows gets the zero value of its type in those rows: the
/// values of a column an up migration dropped are gone when a down
/// migration restores it, and a new one has none yet. Generation refuses
/// such an up migration unless destructive changes are allowed, and MySQL
/// would fill the same zeros by itself; filling makes the three agree.
pub(crate) fn script(
    dialect: Dialect,
    old: &Snapshot,
    new: &Snapshot,
    renames: &Renames,
    changes: &[Change],
    fill: bool,
) -> Script {
    let current = renames.apply(old);
    let mut out = Writer {
        dialect,
        statements: Vec::new(),
    };
    match dialect {
        Dialect::Sqlite => return sqlite::script(&mut out, &current, new, changes, fill),
        Dialect::Postgres => {
            let mut schemas: Vec<&str> = changes
                .iter()
                .filter_map(|c| match c {
                    Change::CreateTable(t) => t.schema.as_deref(),
                    Change::RenameTable { to, .. } => to.split_once('.').map(|(s, _)| s),
                    _ => None,
                })
                .filter(|s| !old.tables.iter().any(|t| t.schema.as_deref() == Some(*s)))
                .collect();
            schemas.sort_unstable();
            schemas.dedup();
            for schema in schemas {
                let mut sql = String::from("CREATE SCHEMA IF NOT EXISTS ");
                dialect.quote_ident(&mut sql, schema);
                out.push(&format!("schema {schema}"), false, sql);
            }
        }
        Dialect::MySql => {}
    }
    let mut markers = MarkerChanges::new(dialect, &current, new);
    let mut deferred = Vec::new();
    for change in changes {
        markers.before(&mut out, change);
        if dialect == Dialect::MySql && needed_by_foreign_key(&current, new, changes, change) {
            deferred.push(change);
            continue;
        }
        let note = change.describe();
        let destructive = change.is_destructive();
        for sql in server_statements(dialect, &current, new, change, fill) {
            out.push(&note, destructive, sql);
        }
    }
    markers.finish(&mut out);
    for change in deferred {
        let Change::DropIndex { table, index } = change else {
            continue;
        };
        let Some(column) = index.columns.first() else {
            continue;
        };
        let mut sql = format!(
            "ALTER TABLE {} DROP INDEX {}",
            out.table(table),
            out.ident(&index.name)
        );
        let after = new.table(table);
        let covered = after.is_some_and(|t| {
            leads(&t.primary_key, column) || t.indexes.iter().any(|i| leads(&i.columns, column))
        });
        if !covered
            && let Some(fk) =
                after.and_then(|t| t.foreign_keys.iter().find(|fk| fk.column == *column))
        {
            // The index a fresh table gets for the key: named after it.
            sql.push_str(&format!(
                ", ADD INDEX {} ({})",
                out.ident(&fk.name),
                out.ident(column)
            ));
        }
        out.push(&change.describe(), false, sql);
    }
    Script {
        statements: out.statements,
        no_transaction: false,
    }
}

pub(super) struct Writer {
    pub(super) dialect: Dialect,
    pub(super) statements: Vec<String>,
}

impl Writer {
    pub(super) fn push(&mut self, note: &str, destructive: bool, sql: String) {
        let mark = if destructive { "DESTRUCTIVE: " } else { "" };
        self.statements.push(format!("-- {mark}{note}\n{sql}"));
    }

    pub(super) fn table(&self, name: &str) -> String {
        qualified_ident(self.dialect, name)
    }

    pub(super) fn ident(&self, name: &str) -> String {
        let mut out = String::new();
        self.dialect.quote_ident(&mut out, name);
        out
    }
}

/// `UPDATE … SET col = default WHERE col IS NULL`, before a column with a
/// default stops accepting NULL.
pub(super) fn null_to_default(w: &Writer, table: &str, column: &str, default: &str) -> String {
    let col = w.ident(column);
    format!(
        "UPDATE {} SET {col} = {default} WHERE {col} IS NULL",
        w.table(table)
    )
}

/// Whether a column alteration changes nothing `dialect` sees (a type
/// spelled differently on another dialect only, or a comment on SQLite,
/// which keeps comments in the snapshot only): no statement, no rebuild.
pub(super) fn unchanged_on(dialect: Dialect, from: &ColumnSnapshot, to: &ColumnSnapshot) -> bool {
    from.name == to.name
        && (dialect == Dialect::Sqlite || from.comment == to.comment)
        && from.sql_type.get(dialect) == to.sql_type.get(dialect)
        && from.nullable == to.nullable
        && from.auto_increment == to.auto_increment
        && from.default.as_ref().map(|d| d.get(dialect))
            == to.default.as_ref().map(|d| d.get(dialect))
}

pub(super) fn leads(columns: &[String], column: &str) -> bool {
    columns.first().is_some_and(|c| c == column)
}

/// `(schema, name)` of a qualified table name.
pub(super) fn split(qualified: &str) -> (Option<&str>, &str) {
    match qualified.split_once('.') {
        Some((schema, name)) => (Some(schema), name),
        None => (None, qualified),
    }
}

/// The zero value a NOT NULL column without default is filled with (see
/// [`script`]): 0, FALSE or the empty string by type; `None` for other
/// columns and for types without an obvious zero (keys, times, bytes).
pub(super) fn fill_value(
    dialect: Dialect,
    table: Option<&TableSnapshot>,
    column: &ColumnSnapshot,
) -> Option<String> {
    if column.nullable || column.default.is_some() || column.auto_increment {
        return None;
    }
    // One zero in every row breaks a unique index or a foreign key.
    if table.is_some_and(|t| {
        t.indexes
            .iter()
            .any(|i| i.unique && i.columns.contains(&column.name))
            || t.foreign_keys.iter().any(|fk| fk.column == column.name)
            || t.primary_key.contains(&column.name)
    }) {
        return None;
    }
    let ty = column.sql_type.get(dialect).to_ascii_uppercase();
    if ty.starts_with("BOOL") {
        Some(dialect.rules().bool_literal(false).to_owned())
    } else if ["INT", "NUMERIC", "DECIMAL", "REAL", "DOUBLE", "FLOAT"]
        .iter()
        .any(|t| ty.contains(t))
    {
        Some("0".to_owned())
    } else if ["CHAR", "TEXT", "CLOB"].iter().any(|t| ty.contains(t)) {
        Some("''".to_owned())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::snapshot::PerDialect;

    fn column(mysql: &str) -> ColumnSnapshot {
        ColumnSnapshot {
            name: "body".into(),
            sql_type: PerDialect {
                postgres: "TEXT".into(),
                mysql: mysql.into(),
                sqlite: "TEXT".into(),
            },
            nullable: false,
            default: None,
            auto_increment: false,
            renamed_from: None,
            comment: None,
        }
    }

    #[test]
    fn a_type_changed_on_one_dialect_leaves_the_others_alone() {
        let (from, to) = (column("TEXT"), column("LONGTEXT"));
        assert!(
            unchanged_on(Dialect::Sqlite, &from, &to),
            "no SQLite rebuild"
        );
        assert!(unchanged_on(Dialect::Postgres, &from, &to));
        assert!(!unchanged_on(Dialect::MySql, &from, &to));
        let nullable = ColumnSnapshot {
            nullable: true,
            ..column("TEXT")
        };
        assert!(!unchanged_on(Dialect::Sqlite, &from, &nullable));
    }
}
