//! A schema snapshot: what the tables look like on each dialect, as a
//! deterministic, reviewable JSON file. Migrations (issue 8) are the
//! difference between the snapshot of the last migration and the entities.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Schema;
use super::columns::{column_type_in, push_default};
use crate::backend::Dialect;
use crate::meta::{ForeignKeyMeta, Generated, SoftDeleteKind, TableMeta};

/// The snapshot format this build writes and reads.
pub const FORMAT: u32 = 1;

/// Every table of a schema as each dialect creates it, sorted by qualified
/// name, so the same entities always give the same file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// [`FORMAT`] when written.
    pub format: u32,
    /// The tables.
    pub tables: Vec<TableSnapshot>,
}

/// One table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSnapshot {
    /// The table name.
    pub name: String,
    /// The PostgreSQL schema, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Columns, in field order.
    pub columns: Vec<ColumnSnapshot>,
    /// The primary key constraint's name.
    pub primary_key_name: String,
    /// The primary key's columns.
    pub primary_key: Vec<String>,
    /// Unique constraints and indexes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<IndexSnapshot>,
    /// Foreign keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKeySnapshot>,
    /// The soft-delete column (`#[entity(deleted_at)]`, `deleted_flag` or
    /// `live_flag`), which `live` indexes are conditioned on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soft_delete: Option<String>,
    /// The name the table had before (`#[entity(renamed_from = "…")]`). A
    /// hint for [`diff`](super::diff::diff) only: never written to the
    /// file, so a snapshot read back has none.
    #[serde(skip)]
    pub renamed_from: Option<String>,
    /// The table comment (PostgreSQL `COMMENT ON TABLE`, MySQL's
    /// `COMMENT=`; recorded only on SQLite).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// When [`soft_delete`](Self::soft_delete) is a boolean flag: the value
    /// live rows hold (`false` for `deleted_flag`, `true` for `live_flag`).
    /// Absent for a time stamp, which is NULL while the row is live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soft_delete_live: Option<bool>,
    /// CHECK constraints: enum columns' first, then the declared ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckSnapshot>,
}

impl TableSnapshot {
    /// The soft-delete column and what its value means, if any.
    pub fn soft_delete_marker(&self) -> Option<(&str, SoftDeleteKind)> {
        let column = self.soft_delete.as_deref()?;
        Some((column, SoftDeleteKind::from_snapshot(self.soft_delete_live)))
    }
}

/// A CHECK constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckSnapshot {
    /// Its name.
    pub name: String,
    /// Its condition on each dialect.
    pub sql: PerDialect,
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnSnapshot {
    /// The column name.
    pub name: String,
    /// Its type on each dialect.
    #[serde(rename = "type")]
    pub sql_type: PerDialect,
    /// Whether it accepts NULL.
    pub nullable: bool,
    /// Its default on each dialect, as DDL writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<PerDialect>,
    /// Numbered by the database.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub auto_increment: bool,
    /// The name the column had before (`#[entity(renamed_from = "…")]`);
    /// a hint for [`diff`](super::diff::diff), never written to the file.
    #[serde(skip)]
    pub renamed_from: Option<String>,
    /// The column comment (PostgreSQL `COMMENT ON COLUMN`, MySQL's
    /// `COMMENT`; recorded only on SQLite).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A piece of SQL per dialect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerDialect {
    /// On PostgreSQL.
    pub postgres: String,
    /// On MySQL/MariaDB.
    pub mysql: String,
    /// On SQLite.
    pub sqlite: String,
}

impl PerDialect {
    fn build(mut f: impl FnMut(Dialect) -> String) -> PerDialect {
        PerDialect {
            postgres: f(Dialect::Postgres),
            mysql: f(Dialect::MySql),
            sqlite: f(Dialect::Sqlite),
        }
    }

    /// The text for `dialect`.
    pub fn get(&self, dialect: Dialect) -> &str {
        match dialect {
            Dialect::Postgres => &self.postgres,
            Dialect::MySql => &self.mysql,
            Dialect::Sqlite => &self.sqlite,
        }
    }
}

/// A unique constraint or an index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexSnapshot {
    /// Its name.
    pub name: String,
    /// Its columns, in order.
    pub columns: Vec<String>,
    /// Whether values must be unique.
    pub unique: bool,
    /// Unique among live (not soft-deleted) rows only.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub live: bool,
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKeySnapshot {
    /// Its name.
    pub name: String,
    /// The referencing column.
    pub column: String,
    /// The referenced table, qualified by its schema where it has one.
    pub references: String,
    /// The referenced column.
    pub references_column: String,
    /// `ON DELETE` action.
    pub on_delete: String,
    /// `ON UPDATE` action.
    pub on_update: String,
}

impl Snapshot {
    /// A schema without tables: where the first migration starts.
    pub fn empty() -> Snapshot {
        Snapshot {
            format: FORMAT,
            tables: Vec::new(),
        }
    }

    /// The snapshot of `schema`'s tables.
    pub fn of(schema: &Schema) -> Snapshot {
        let mut tables: Vec<TableSnapshot> = schema.tables().iter().map(|t| table_of(t)).collect();
        tables.sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        Snapshot {
            format: FORMAT,
            tables,
        }
    }

    /// The snapshot as the file holds it: pretty JSON, one trailing newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// A snapshot read from its JSON.
    pub fn from_json(text: &str) -> Result<Snapshot, SnapshotError> {
        let snapshot: Snapshot = serde_json::from_str(text).map_err(SnapshotError::Parse)?;
        if snapshot.format != FORMAT {
            return Err(SnapshotError::Format(snapshot.format));
        }
        Ok(snapshot)
    }

    /// Reads the snapshot file at `path`.
    pub fn read(path: &Path) -> Result<Snapshot, SnapshotError> {
        let text = std::fs::read_to_string(path).map_err(SnapshotError::Io)?;
        Snapshot::from_json(&text)
    }

    /// Writes the snapshot to `path`.
    pub fn write(&self, path: &Path) -> Result<(), SnapshotError> {
        std::fs::write(path, self.to_json()).map_err(SnapshotError::Io)
    }

    /// The table called `name` (`schema.name` for a PostgreSQL schema).
    pub fn table(&self, name: &str) -> Option<&TableSnapshot> {
        self.tables.iter().find(|t| t.qualified_name() == name)
    }
}

impl TableSnapshot {
    /// `schema.name`, or `name` without a schema.
    pub fn qualified_name(&self) -> String {
        match &self.schema {
            Some(schema) => format!("{schema}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// Why a snapshot could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The file could not be read or written.
    #[error("snapshot file: {0}")]
    Io(#[source] std::io::Error),
    /// The file is not a snapshot.
    #[error("snapshot is not valid JSON of a snapshot: {0}")]
    Parse(#[source] serde_json::Error),
    /// The file was written by another version of entable.
    #[error("snapshot format {0} is not {FORMAT}, the one this entable reads")]
    Format(u32),
}

/// The snapshot of one table.
pub(crate) fn table_of(table: &TableMeta) -> TableSnapshot {
    let columns = table
        .columns
        .iter()
        .map(|column| ColumnSnapshot {
            name: column.name.to_owned(),
            sql_type: PerDialect::build(|d| column_type_in(d, table, column)),
            nullable: column.nullable,
            default: column.default.as_ref().map(|default| {
                PerDialect::build(|d| {
                    let mut sql = String::new();
                    push_default(d, &mut sql, default, &column_type_in(d, table, column));
                    sql
                })
            }),
            auto_increment: column.generated == Some(Generated::AutoIncrement),
            renamed_from: column.renamed_from.map(str::to_owned),
            comment: column.comment.map(str::to_owned),
        })
        .collect();
    TableSnapshot {
        name: table.name.to_owned(),
        schema: table.schema.map(str::to_owned),
        columns,
        primary_key_name: table.primary_key_name.to_owned(),
        primary_key: table.primary_key.iter().map(|c| (*c).to_owned()).collect(),
        indexes: table
            .indexes
            .iter()
            .map(|index| IndexSnapshot {
                name: index.name.to_owned(),
                columns: index.columns.iter().map(|c| (*c).to_owned()).collect(),
                unique: index.unique,
                live: index.live,
            })
            .collect(),
        foreign_keys: table.foreign_keys.iter().map(foreign_key_of).collect(),
        soft_delete: table.soft_delete.map(|s| s.column.to_owned()),
        renamed_from: table.renamed_from.map(str::to_owned),
        comment: table.comment.map(str::to_owned),
        soft_delete_live: table.soft_delete.and_then(|s| s.kind.flag_live()),
        checks: table
            .check_constraints()
            .into_iter()
            .map(|check| CheckSnapshot {
                name: check.name,
                sql: PerDialect {
                    postgres: check.postgres,
                    mysql: check.mysql,
                    sqlite: check.sqlite,
                },
            })
            .collect(),
    }
}

/// The snapshot of one foreign key.
pub(crate) fn foreign_key_of(fk: &ForeignKeyMeta) -> ForeignKeySnapshot {
    ForeignKeySnapshot {
        name: fk.name.to_owned(),
        column: fk.column.to_owned(),
        references: fk.target().qualified_name(),
        references_column: fk.target_column().to_owned(),
        on_delete: fk.on_delete.sql().to_owned(),
        on_update: fk.on_update.sql().to_owned(),
    }
}
