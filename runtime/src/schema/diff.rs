//! The difference between two [`Snapshot`]s as an ordered list of
//! changes: what a migration from the first to the second must do.
//!
//! The order is dependency-safe: declared renames first (so that every
//! later change names things as they are then), foreign keys and indexes
//! that go are dropped next, then columns and tables (tables that others referred to
//! last), then tables are created (referenced ones first), columns added
//! and altered, and indexes and foreign keys added last, once everything
//! they name exists.

pub use super::renames::Renames;
use super::snapshot::{
    CheckSnapshot, ColumnSnapshot, ForeignKeySnapshot, IndexSnapshot, Snapshot, TableSnapshot,
};

/// One change of a migration.
// A migration holds a handful of changes: boxing the column snapshots of
// `AlterColumn` would save little and make every match on it clumsier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A new table, created whole (its indexes and foreign keys are
    /// separate changes, after it).
    CreateTable(TableSnapshot),
    /// A table that goes, with its rows.
    DropTable(TableSnapshot),
    /// A table renamed (`#[entity(renamed_from = "…")]`), rows kept.
    RenameTable {
        /// The qualified name before.
        from: String,
        /// The qualified name after.
        to: String,
    },
    /// A column renamed (`#[entity(renamed_from = "…")]`), values kept.
    RenameColumn {
        /// The table (qualified name, after any rename of it).
        table: String,
        /// The name before.
        from: String,
        /// The name after.
        to: String,
    },
    /// A new column.
    AddColumn {
        /// The table (qualified name).
        table: String,
        /// The column.
        column: ColumnSnapshot,
    },
    /// A column that goes, with its values.
    DropColumn {
        /// The table (qualified name).
        table: String,
        /// The column as it was.
        column: ColumnSnapshot,
    },
    /// A column whose type, nullability or default changes.
    AlterColumn {
        /// The table (qualified name).
        table: String,
        /// The column before (under its new name if it was renamed).
        from: ColumnSnapshot,
        /// The column after.
        to: ColumnSnapshot,
    },
    /// A primary key whose columns or constraint name change.
    AlterPrimaryKey {
        /// The table (qualified name).
        table: String,
        /// The key before: constraint name and columns.
        from: (String, Vec<String>),
        /// The key after.
        to: (String, Vec<String>),
    },
    /// A new index or unique constraint.
    AddIndex {
        /// The table (qualified name).
        table: String,
        /// The index.
        index: IndexSnapshot,
    },
    /// An index or unique constraint that goes.
    DropIndex {
        /// The table (qualified name).
        table: String,
        /// The index as it was.
        index: IndexSnapshot,
    },
    /// A new foreign key.
    AddForeignKey {
        /// The table (qualified name).
        table: String,
        /// The key.
        foreign_key: ForeignKeySnapshot,
    },
    /// A foreign key that goes.
    DropForeignKey {
        /// The table (qualified name).
        table: String,
        /// The key as it was.
        foreign_key: ForeignKeySnapshot,
    },
    /// A table comment set, changed or removed (column comments change
    /// with [`Change::AlterColumn`]). SQLite records it in the snapshot
    /// only: no statement there, but still a change.
    AlterTableComment {
        /// The table (qualified name).
        table: String,
        /// The comment before.
        from: Option<String>,
        /// The comment after.
        to: Option<String>,
    },
    /// A new CHECK constraint on an existing table (a new table declares
    /// its checks in `CREATE TABLE`). A changed check is dropped and added.
    AddCheck {
        /// The table (qualified name).
        table: String,
        /// The check.
        check: CheckSnapshot,
    },
    /// A CHECK constraint that goes.
    DropCheck {
        /// The table (qualified name).
        table: String,
        /// The check as it was.
        check: CheckSnapshot,
    },
}

impl Change {
    /// Whether the change can lose data: a dropped table or column, or a
    /// column whose type changes (it may narrow) or that stops accepting
    /// NULL (rows holding NULL make it fail). Such changes are refused
    /// unless explicitly allowed.
    ///
    /// A NOT NULL column without default added to an existing table counts
    /// too: rows already there get the zero value of its type (0, FALSE,
    /// `''`), or, for types without one, the migration fails if the table
    /// holds rows.
    pub fn is_destructive(&self) -> bool {
        match self {
            Change::DropTable(_) | Change::DropColumn { .. } => true,
            Change::AddColumn { column, .. } => needs_fill(column),
            Change::AlterColumn { from, to, .. } => {
                from.sql_type != to.sql_type || (from.nullable && !to.nullable)
            }
            _ => false,
        }
    }

    /// The table the change is made to (qualified name; for a rename, the
    /// new name).
    pub fn table(&self) -> String {
        match self {
            Change::CreateTable(t) | Change::DropTable(t) => t.qualified_name(),
            Change::RenameTable { to, .. } => to.clone(),
            Change::RenameColumn { table, .. }
            | Change::AddColumn { table, .. }
            | Change::DropColumn { table, .. }
            | Change::AlterColumn { table, .. }
            | Change::AlterPrimaryKey { table, .. }
            | Change::AddIndex { table, .. }
            | Change::DropIndex { table, .. }
            | Change::AddForeignKey { table, .. }
            | Change::DropForeignKey { table, .. }
            | Change::AlterTableComment { table, .. }
            | Change::AddCheck { table, .. }
            | Change::DropCheck { table, .. } => table.clone(),
        }
    }

    /// One line saying what the change does, for reports and the comments
    /// of generated files.
    pub fn describe(&self) -> String {
        match self {
            Change::CreateTable(t) => format!("create table {}", t.qualified_name()),
            Change::DropTable(t) => {
                format!("drop table {} (its rows are lost)", t.qualified_name())
            }
            Change::RenameTable { from, to } => format!("rename table {from} to {to}"),
            Change::RenameColumn { table, from, to } => {
                format!("rename column {table}.{from} to {to}")
            }
            Change::AddColumn { table, column } if needs_fill(column) => format!(
                "add column {table}.{} NOT NULL without default (rows already there get 0, FALSE or '' where its type has one and no unique index or foreign key forbids it, or the migration fails if the table holds rows)",
                column.name
            ),
            Change::AddColumn { table, column } => {
                format!("add column {table}.{}", column.name)
            }
            Change::DropColumn { table, column } => {
                format!("drop column {table}.{} (its values are lost)", column.name)
            }
            Change::AlterColumn { table, from, to } => {
                let mut what = Vec::new();
                if from.sql_type != to.sql_type {
                    what.push(type_change(from, to));
                }
                if from.nullable != to.nullable {
                    what.push(if to.nullable {
                        "nullable".into()
                    } else {
                        "NOT NULL".into()
                    });
                }
                if from.default != to.default {
                    what.push(match &to.default {
                        Some(d) => format!("default {}", d.postgres),
                        None => "no default".into(),
                    });
                }
                if from.auto_increment != to.auto_increment {
                    what.push(if to.auto_increment {
                        "auto-increment".into()
                    } else {
                        "not auto-increment".into()
                    });
                }
                if from.comment != to.comment {
                    what.push(comment_change(to.comment.as_deref()));
                }
                format!("alter column {table}.{}: {}", to.name, what.join(", "))
            }
            Change::AlterPrimaryKey { table, to, .. } => {
                format!("primary key of {table}: {} ({})", to.0, to.1.join(", "))
            }
            Change::AddIndex { table, index } => format!(
                "add {}index {} on {table} ({})",
                if index.unique { "unique " } else { "" },
                index.name,
                index.columns.join(", ")
            ),
            Change::DropIndex { table, index } => format!("drop index {} on {table}", index.name),
            Change::AddForeignKey { table, foreign_key } => format!(
                "add foreign key {} on {table} ({}) -> {}",
                foreign_key.name, foreign_key.column, foreign_key.references
            ),
            Change::DropForeignKey { table, foreign_key } => {
                format!("drop foreign key {} on {table}", foreign_key.name)
            }
            Change::AlterTableComment { table, to, .. } => {
                format!("table {table}: {}", comment_change(to.as_deref()))
            }
            Change::AddCheck { table, check } => {
                format!("add check {} on {table}", check.name)
            }
            Change::DropCheck { table, check } => {
                format!("drop check {} on {table}", check.name)
            }
        }
    }
}

/// "comment changed" or "no comment": the text itself may span lines,
/// which the one-line description (an SQL `--` comment) cannot.
fn comment_change(to: Option<&str>) -> String {
    match to {
        Some(_) => "comment changed".into(),
        None => "no comment".into(),
    }
}

/// Whether `column`, added to a table with rows, has no value for them:
/// NOT NULL, no default, not generated.
pub(crate) fn needs_fill(column: &ColumnSnapshot) -> bool {
    !column.nullable && column.default.is_none() && !column.auto_increment
}

/// `from -> to` of a column's type, per dialect where they differ (all
/// three at once when they agree).
fn type_change(from: &ColumnSnapshot, to: &ColumnSnapshot) -> String {
    let (a, b) = (&from.sql_type, &to.sql_type);
    let same_change = |x: (&String, &String)| x == (&a.postgres, &b.postgres);
    if same_change((&a.mysql, &b.mysql)) && same_change((&a.sqlite, &b.sqlite)) {
        return format!("type {} -> {}", a.postgres, b.postgres);
    }
    let mut parts = Vec::new();
    for (name, x, y) in [
        ("postgres", &a.postgres, &b.postgres),
        ("mysql", &a.mysql, &b.mysql),
        ("sqlite", &a.sqlite, &b.sqlite),
    ] {
        if x != y {
            parts.push(format!("{name} {x} -> {y}"));
        }
    }
    format!("type {}", parts.join(", "))
}

/// The changes from `old` to `new`, in the order a migration applies them,
/// with the renames `new` declares.
pub fn diff(old: &Snapshot, new: &Snapshot) -> Vec<Change> {
    diff_with(old, new, &Renames::declared(old, new))
}

/// The changes from `old` to `new` given `renames` (see
/// [`Renames::declared`]; [`Renames::reversed`] for the way back).
pub fn diff_with(old: &Snapshot, new: &Snapshot, renames: &Renames) -> Vec<Change> {
    // Renames come first: a declared rename never takes a name that
    // exists on the other side, and everything after it (drops included)
    // names tables and columns as they are once renamed.
    let mut out: Vec<Change> = renames
        .tables
        .iter()
        .map(|(from, to)| Change::RenameTable {
            from: from.clone(),
            to: to.clone(),
        })
        .collect();
    out.extend(
        renames
            .columns
            .iter()
            .map(|(table, from, to)| Change::RenameColumn {
                table: table.clone(),
                from: from.clone(),
                to: to.clone(),
            }),
    );
    out.extend(compare(&renames.apply(old), &without_hints(new)));
    out
}

/// `snapshot` without its `renamed_from` hints.
pub(crate) fn without_hints(snapshot: &Snapshot) -> Snapshot {
    let mut out = snapshot.clone();
    for table in &mut out.tables {
        table.renamed_from = None;
        for column in &mut table.columns {
            column.renamed_from = None;
        }
    }
    out
}

fn compare(old: &Snapshot, new: &Snapshot) -> Vec<Change> {
    let mut drops_fk = Vec::new();
    let mut drops_index = Vec::new();
    let mut drops_column = Vec::new();
    let mut drops_table = Vec::new();
    let mut creates_table = Vec::new();
    let mut adds_column = Vec::new();
    let mut alters = Vec::new();
    let mut keys = Vec::new();
    let mut adds_index = Vec::new();
    let mut adds_fk = Vec::new();
    let mut drops_check = Vec::new();
    let mut adds_check = Vec::new();

    for before in &old.tables {
        let name = before.qualified_name();
        match new.table(&name) {
            None => {
                drops_fk.extend(before.foreign_keys.iter().map(|fk| Change::DropForeignKey {
                    table: name.clone(),
                    foreign_key: fk.clone(),
                }));
                drops_table.push(Change::DropTable(before.clone()));
            }
            Some(after) => {
                let table = &name;
                for fk in &before.foreign_keys {
                    if !after.foreign_keys.contains(fk) {
                        drops_fk.push(Change::DropForeignKey {
                            table: table.clone(),
                            foreign_key: fk.clone(),
                        });
                    }
                }
                for fk in &after.foreign_keys {
                    if !before.foreign_keys.contains(fk) {
                        adds_fk.push(Change::AddForeignKey {
                            table: table.clone(),
                            foreign_key: fk.clone(),
                        });
                    }
                }
                // An index on a live condition changes with the soft-delete
                // column it names.
                let same_live = before.soft_delete_marker() == after.soft_delete_marker();
                let kept = |index: &IndexSnapshot, other: &TableSnapshot| {
                    other.indexes.contains(index) && (same_live || !index.live)
                };
                for index in &before.indexes {
                    if !kept(index, after) {
                        drops_index.push(Change::DropIndex {
                            table: table.clone(),
                            index: index.clone(),
                        });
                    }
                }
                for index in &after.indexes {
                    if !kept(index, before) {
                        adds_index.push(Change::AddIndex {
                            table: table.clone(),
                            index: index.clone(),
                        });
                    }
                }
                for column in &before.columns {
                    match after.columns.iter().find(|c| c.name == column.name) {
                        None => drops_column.push(Change::DropColumn {
                            table: table.clone(),
                            column: column.clone(),
                        }),
                        Some(to) if to != column => alters.push(Change::AlterColumn {
                            table: table.clone(),
                            from: column.clone(),
                            to: to.clone(),
                        }),
                        Some(_) => {}
                    }
                }
                for column in &after.columns {
                    if !before.columns.iter().any(|c| c.name == column.name) {
                        adds_column.push(Change::AddColumn {
                            table: table.clone(),
                            column: column.clone(),
                        });
                    }
                }
                // Checks first go and last come: a check may name columns
                // that are dropped or added.
                for check in &before.checks {
                    if !after.checks.contains(check) {
                        drops_check.push(Change::DropCheck {
                            table: table.clone(),
                            check: check.clone(),
                        });
                    }
                }
                for check in &after.checks {
                    if !before.checks.contains(check) {
                        adds_check.push(Change::AddCheck {
                            table: table.clone(),
                            check: check.clone(),
                        });
                    }
                }
                if before.comment != after.comment {
                    alters.push(Change::AlterTableComment {
                        table: table.clone(),
                        from: before.comment.clone(),
                        to: after.comment.clone(),
                    });
                }
                if (&before.primary_key_name, &before.primary_key)
                    != (&after.primary_key_name, &after.primary_key)
                {
                    keys.push(Change::AlterPrimaryKey {
                        table: table.clone(),
                        from: (before.primary_key_name.clone(), before.primary_key.clone()),
                        to: (after.primary_key_name.clone(), after.primary_key.clone()),
                    });
                }
            }
        }
    }
    // A foreign key whose column, or the key it references, changes type is
    // dropped and added again: MySQL refuses to change either while the
    // key exists.
    let retyped: Vec<(String, String)> = alters
        .iter()
        .filter_map(|c| match c {
            Change::AlterColumn { table, from, to } if from.sql_type != to.sql_type => {
                Some((table.clone(), to.name.clone()))
            }
            _ => None,
        })
        .collect();
    for before in &old.tables {
        let name = before.qualified_name();
        let Some(after) = new.table(&name) else {
            continue;
        };
        for fk in &before.foreign_keys {
            let touched = retyped.contains(&(name.clone(), fk.column.clone()))
                || retyped.contains(&(fk.references.clone(), fk.references_column.clone()));
            if touched && after.foreign_keys.contains(fk) {
                drops_fk.push(Change::DropForeignKey {
                    table: name.clone(),
                    foreign_key: fk.clone(),
                });
                adds_fk.push(Change::AddForeignKey {
                    table: name.clone(),
                    foreign_key: fk.clone(),
                });
            }
        }
    }
    for after in &new.tables {
        let name = after.qualified_name();
        if old.table(&name).is_none() {
            creates_table.push(Change::CreateTable(after.clone()));
            adds_index.extend(after.indexes.iter().map(|index| Change::AddIndex {
                table: name.clone(),
                index: index.clone(),
            }));
            adds_fk.extend(after.foreign_keys.iter().map(|fk| Change::AddForeignKey {
                table: name.clone(),
                foreign_key: fk.clone(),
            }));
        }
    }
    // Referring tables are dropped before the tables they refer to: SQLite
    // empties a table before dropping it and checks foreign keys on that.
    // Referenced tables are created first, which reads naturally (foreign
    // keys are added at the end either way).
    order_by_references(&mut drops_table, old, true);
    order_by_references(&mut creates_table, new, false);

    let mut out = Vec::new();
    out.extend(drops_fk);
    out.extend(drops_check);
    out.extend(drops_index);
    out.extend(drops_column);
    out.extend(drops_table);
    out.extend(creates_table);
    out.extend(adds_column);
    out.extend(alters);
    out.extend(keys);
    out.extend(adds_index);
    out.extend(adds_check);
    out.extend(adds_fk);
    out
}

/// Sorts table changes so that a table comes after the tables it refers to
/// (or, with `reverse`, before them). Ties and cycles keep name order.
fn order_by_references(changes: &mut [Change], snapshot: &Snapshot, reverse: bool) {
    let depth = |change: &Change| -> (usize, String) {
        let table = match change {
            Change::CreateTable(t) | Change::DropTable(t) => t,
            _ => return (0, String::new()),
        };
        (reference_depth(table, snapshot, 0), table.qualified_name())
    };
    changes.sort_by(|a, b| {
        let (da, na) = depth(a);
        let (db, nb) = depth(b);
        if reverse {
            db.cmp(&da).then(na.cmp(&nb))
        } else {
            da.cmp(&db).then(na.cmp(&nb))
        }
    });
}

/// How many foreign-key steps lead from `table` to a table that refers to
/// nothing (self-references and cycles cut off).
fn reference_depth(table: &TableSnapshot, snapshot: &Snapshot, seen: usize) -> usize {
    if seen > snapshot.tables.len() {
        return seen;
    }
    table
        .foreign_keys
        .iter()
        .filter(|fk| fk.references != table.qualified_name())
        .filter_map(|fk| snapshot.table(&fk.references))
        .map(|target| 1 + reference_depth(target, snapshot, seen + 1))
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;
