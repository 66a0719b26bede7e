//! Renames declared with `renamed_from`, and the same table moved between
//! PostgreSQL schemas: what a migration renames instead of dropping and
//! creating.

use super::snapshot::Snapshot;

/// Renames between two snapshots, declared with `renamed_from`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renames {
    /// `(old qualified name, new qualified name)`.
    pub tables: Vec<(String, String)>,
    /// `(table's new qualified name, old column, new column)`.
    pub columns: Vec<(String, String, String)>,
}

impl Renames {
    /// The renames `new` declares (its `renamed_from` hints) that apply to
    /// `old`: the old name exists there and the new one does not.
    pub fn declared(old: &Snapshot, new: &Snapshot) -> Renames {
        let mut renames = Renames::default();
        for table in &new.tables {
            let name = table.qualified_name();
            let mut before = old.table(&name);
            if let Some(from) = &table.renamed_from {
                let from = match &table.schema {
                    Some(schema) => format!("{schema}.{from}"),
                    None => from.clone(),
                };
                if before.is_none()
                    && let Some(old_table) = old.table(&from)
                {
                    renames.tables.push((from, name.clone()));
                    before = Some(old_table);
                }
            }
            // The same table moved between PostgreSQL schemas (schemas
            // exist there only): a move, not a drop and a create.
            if before.is_none()
                && !renames.tables.iter().any(|(_, to)| *to == name)
                && let Some(old_table) = old.tables.iter().find(|t| {
                    t.name == table.name
                        && t.schema != table.schema
                        && new.table(&t.qualified_name()).is_none()
                })
            {
                renames
                    .tables
                    .push((old_table.qualified_name(), name.clone()));
                before = Some(old_table);
            }
            let Some(before) = before else { continue };
            for column in &table.columns {
                if let Some(from) = &column.renamed_from
                    && !before.columns.iter().any(|c| c.name == column.name)
                    && before.columns.iter().any(|c| &c.name == from)
                {
                    renames
                        .columns
                        .push((name.clone(), from.clone(), column.name.clone()));
                }
            }
        }
        renames
    }

    /// The same renames undone (for a down migration).
    pub fn reversed(&self) -> Renames {
        Renames {
            tables: self
                .tables
                .iter()
                .map(|(a, b)| (b.clone(), a.clone()))
                .collect(),
            columns: self
                .columns
                .iter()
                .map(|(table, from, to)| {
                    let old_table = self
                        .tables
                        .iter()
                        .find(|(_, new)| new == table)
                        .map_or_else(|| table.clone(), |(old, _)| old.clone());
                    (old_table, to.clone(), from.clone())
                })
                .collect(),
        }
    }

    /// Whether nothing is renamed.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty() && self.columns.is_empty()
    }

    /// `old` with the renames applied: what the database looks like right
    /// after the rename statements.
    pub fn apply(&self, old: &Snapshot) -> Snapshot {
        let mut out = old.clone();
        for table in &mut out.tables {
            let name = table.qualified_name();
            if let Some((_, to)) = self.tables.iter().find(|(from, _)| *from == name) {
                match to.split_once('.') {
                    Some((schema, table_name)) => {
                        table.schema = Some(schema.to_owned());
                        table.name = table_name.to_owned();
                    }
                    None => {
                        table.schema = None;
                        table.name = to.clone();
                    }
                }
            }
            let name = table.qualified_name();
            let column = |c: &str| -> String {
                self.columns
                    .iter()
                    .find(|(t, from, _)| *t == name && from == c)
                    .map_or_else(|| c.to_owned(), |(_, _, to)| to.clone())
            };
            for c in &mut table.columns {
                c.name = column(&c.name);
            }
            for c in &mut table.primary_key {
                *c = column(c);
            }
            for index in &mut table.indexes {
                for c in &mut index.columns {
                    *c = column(c);
                }
            }
            for fk in &mut table.foreign_keys {
                fk.column = column(&fk.column);
            }
            if let Some(deleted_at) = &mut table.soft_delete {
                *deleted_at = column(deleted_at);
            }
        }
        // References follow a renamed table (PostgreSQL and MySQL keep
        // them by identity, SQLite rewrites them).
        for table in &mut out.tables {
            for fk in &mut table.foreign_keys {
                if let Some((_, to)) = self.tables.iter().find(|(from, _)| *from == fk.references) {
                    fk.references = to.clone();
                }
                let target = fk.references.clone();
                if let Some((_, _, to)) = self
                    .columns
                    .iter()
                    .find(|(t, from, _)| *t == target && *from == fk.references_column)
                {
                    fk.references_column = to.clone();
                }
            }
        }
        out
    }
}
