//! Static table metadata, as emitted by `#[derive(Entity)]`.
//!
//! Every value here is built at compile time into a `static`: reading it
//! never allocates.

use super::soft_delete::SoftDelete;
use super::types::SqlType;

/// The generated column MySQL's `unique_live` indexes end with (MySQL has
/// no partial indexes): 1 while the row is live, NULL once soft-deleted, and
/// NULLs never collide in a unique index.
pub const LIVE_MARKER: &str = "entable_live";

/// Everything entable knows about one entity's table.
#[derive(Debug)]
pub struct TableMeta {
    /// The Rust type's name, for messages.
    pub entity: &'static str,
    /// The table name.
    pub name: &'static str,
    /// The schema (PostgreSQL only; ignored elsewhere).
    pub schema: Option<&'static str>,
    /// Persisted columns, in field order.
    pub columns: &'static [ColumnMeta],
    /// Column names of the primary key, in field order.
    pub primary_key: &'static [&'static str],
    /// The primary key constraint's name: `pk_<table>`, or
    /// `#[entity(primary_key_name = "…")]`.
    pub primary_key_name: &'static str,
    /// Unique constraints and plain indexes, field-level ones first.
    pub indexes: &'static [IndexMeta],
    /// Foreign keys, in field order.
    pub foreign_keys: &'static [ForeignKeyMeta],
    /// The optimistic-locking column (`#[entity(version)]`), if any.
    pub version: Option<&'static str>,
    /// The `#[entity(created_at)]` column, if any: written on insert only,
    /// so an upsert that overwrites a row keeps it.
    pub created_at: Option<&'static str>,
    /// The `#[entity(updated_at)]` column, if any: written on every change,
    /// soft deletes and restores included.
    pub updated_at: Option<&'static str>,
    /// The soft-delete marker (`#[entity(deleted_at)]`,
    /// `#[entity(deleted_flag)]` or `#[entity(live_flag)]`), if any: reads
    /// see only live rows unless asked.
    pub soft_delete: Option<SoftDelete>,
    /// `#[entity(audit)]`: every change writes a row to the audit log.
    pub audited: bool,
    /// `#[entity(renamed_from = "…")]`: the table's previous name, so that
    /// a generated migration renames it instead of dropping it.
    pub renamed_from: Option<&'static str>,
    /// The table comment: the struct's doc comment, or
    /// `#[entity(comment = "…")]` (`comment = ""` for none).
    pub comment: Option<&'static str>,
    /// CHECK constraints declared with `#[entity(check …)]` on fields and
    /// on the struct. The ones enum columns get are not listed here: see
    /// [`ColumnMeta::labels`] and [`TableMeta::check_constraints`].
    pub checks: &'static [CheckMeta],
}

impl TableMeta {
    /// The column called `name`, if any.
    pub fn column(&self, name: &str) -> Option<&'static ColumnMeta> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The column stored from the Rust field `field`, if any.
    pub fn column_for_field(&self, field: &str) -> Option<&'static ColumnMeta> {
        self.columns.iter().find(|c| c.field == field)
    }

    /// `schema.name`, or `name` without a schema: the key tables are known by.
    pub fn qualified_name(&self) -> String {
        match self.schema {
            Some(schema) => format!("{schema}.{}", self.name),
            None => self.name.to_owned(),
        }
    }

    /// Whether the table needs MySQL's stand-in for a partial index: a
    /// generated column that is 1 on live rows and NULL on deleted ones,
    /// appended to every `unique_live` index.
    pub fn needs_live_marker(&self) -> bool {
        self.soft_delete.is_some() && self.indexes.iter().any(|i| i.live)
    }

    /// Whether `column` belongs to the primary key, a unique constraint, an
    /// index or a foreign key.
    pub fn is_key_column(&self, column: &str) -> bool {
        self.primary_key.contains(&column)
            || self.indexes.iter().any(|i| i.columns.contains(&column))
            || self.foreign_keys.iter().any(|f| f.column == column)
    }
}

/// One persisted column.
#[derive(Debug)]
pub struct ColumnMeta {
    /// The column name.
    pub name: &'static str,
    /// The Rust field it is stored from.
    pub field: &'static str,
    /// Its type.
    pub sql_type: SqlType,
    /// Whether it accepts NULL (the field is an `Option<T>`).
    pub nullable: bool,
    /// `max_length = n`: `VARCHAR(n)`.
    pub max_length: Option<u32>,
    /// The SQL default, if any.
    pub default: Option<DefaultValue>,
    /// How the value is generated when not supplied, if it is.
    pub generated: Option<Generated>,
    /// `#[entity(renamed_from = "…")]`: the column's previous name.
    pub renamed_from: Option<&'static str>,
    /// The column comment: the field's doc comment, or
    /// `#[entity(comment = "…")]` (`comment = ""` for none).
    pub comment: Option<&'static str>,
    /// The stored labels of a `#[derive(DbEnum)]` type
    /// ([`FieldType::LABELS`](crate::types::FieldType::LABELS)), empty for
    /// other types: the column gets `CHECK (column IN (labels))`.
    pub labels: &'static [&'static str],
}

/// A CHECK constraint declared with `#[entity(check = "…")]` (field) or
/// `#[entity(check(name = "…", sql = "…"))]` (struct).
#[derive(Debug)]
pub struct CheckMeta {
    /// Its name: `ck_<table>_<column>` for a field's check, `ck_<table>_<n>`
    /// (`n` counting the struct's checks from 1) for the struct's, or the
    /// one given with `name = "…"`.
    pub name: &'static str,
    /// The condition, verbatim, per dialect (`sql = "…"` gives all three).
    pub sql: SqlPerDialect,
}

/// A CHECK constraint of a table as DDL writes it: declared, or the one an
/// enum column gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// The constraint name.
    pub name: String,
    /// The condition on PostgreSQL.
    pub postgres: String,
    /// The condition on MySQL/MariaDB.
    pub mysql: String,
    /// The condition on SQLite.
    pub sqlite: String,
}

/// A column default.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DefaultValue {
    /// `default = true`.
    Bool(bool),
    /// `default = 42`.
    Int(i64),
    /// `default = 1.5`, kept as written.
    Float(&'static str),
    /// `default = "text"`: a string literal, quoted per dialect.
    Text(&'static str),
    /// `default_sql = "…"`: an SQL expression per dialect, verbatim.
    Sql(SqlPerDialect),
}

/// An SQL fragment spelled per dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SqlPerDialect {
    /// On PostgreSQL.
    pub postgres: &'static str,
    /// On MySQL/MariaDB.
    pub mysql: &'static str,
    /// On SQLite.
    pub sqlite: &'static str,
}

impl SqlPerDialect {
    /// The fragment for `dialect`.
    pub const fn get(&self, dialect: super::Dialect) -> &'static str {
        match dialect {
            super::Dialect::Postgres => self.postgres,
            super::Dialect::MySql => self.mysql,
            super::Dialect::Sqlite => self.sqlite,
        }
    }
}

/// A key generated when a row is created without one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Generated {
    /// The database assigns increasing integers.
    AutoIncrement,
    /// entable assigns a random UUID (version 4) before inserting, the same
    /// way on every dialect.
    UuidV4,
}

/// A unique constraint or an index.
#[derive(Debug)]
pub struct IndexMeta {
    /// Its name: `uq_<table>_<columns>` or `ix_<table>_<columns>`, or the
    /// one given with `name = "…"`.
    pub name: &'static str,
    /// Its columns, in order.
    pub columns: &'static [&'static str],
    /// Whether values must be unique.
    pub unique: bool,
    /// `unique_live`: unique among rows that are not soft-deleted only.
    pub live: bool,
}

/// A foreign key from one column to the primary key of another table.
#[derive(Debug)]
pub struct ForeignKeyMeta {
    /// Its name: `fk_<table>_<target table>_<column>`, or
    /// `#[entity(fk_name = "…")]`.
    pub name: &'static str,
    /// The referencing column.
    pub column: &'static str,
    /// The referenced table (a function, so that tables can refer to
    /// themselves and to each other).
    pub references: fn() -> &'static TableMeta,
    /// What happens to this row when the referenced row is deleted.
    pub on_delete: FkAction,
    /// What happens to this row when the referenced key changes.
    pub on_update: FkAction,
}

impl ForeignKeyMeta {
    /// The referenced table.
    pub fn target(&self) -> &'static TableMeta {
        (self.references)()
    }

    /// The referenced column: the target's (single-column) primary key.
    pub fn target_column(&self) -> &'static str {
        // The derive only accepts targets with a single-column key
        // (`SingleKey`), so the slice has exactly one element.
        self.target().primary_key.first().copied().unwrap_or("")
    }
}

/// A referential action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum FkAction {
    /// `NO ACTION` (the SQL default): the change fails if rows still refer.
    #[default]
    NoAction,
    /// `RESTRICT`: like `NO ACTION`, checked immediately.
    Restrict,
    /// `CASCADE`: referring rows are deleted (or updated) too.
    Cascade,
    /// `SET NULL`: the referring column becomes NULL.
    SetNull,
}

impl FkAction {
    /// The SQL words.
    pub const fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
        }
    }
}
