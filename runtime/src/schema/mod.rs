//! Table metadata, DDL per dialect, and the schema of a whole program.
//!
//! Each `#[derive(Entity)]` type carries a static [`TableMeta`] and
//! registers itself; a [`Schema`] gathers tables (all registered ones, or
//! a chosen list), orders them by foreign-key dependency and renders or
//! runs their DDL.
//!
//! ```
//! use entable::prelude::*;
//! use entable::schema::Schema;
//!
//! #[derive(Entity)]
//! #[entity(table = "teams")]
//! struct Team {
//!     #[entity(primary_key, auto_increment)]
//!     id: i64,
//!     name: String,
//! }
//!
//! #[derive(Entity)]
//! #[entity(table = "members")]
//! struct Member {
//!     #[entity(primary_key, auto_increment)]
//!     id: i64,
//!     #[entity(references = Team, on_delete = "cascade", index)]
//!     team_id: i64,
//! }
//!
//! let schema = Schema::of([Member::table(), Team::table()]).unwrap();
//! let names: Vec<_> = schema.tables().iter().map(|t| t.name).collect();
//! assert_eq!(names, ["teams", "members"]);
//! let sql = schema.to_sql(Dialect::Postgres);
//! assert!(sql.contains(r#"CONSTRAINT "fk_members_teams_team_id" FOREIGN KEY ("team_id") REFERENCES "teams" ("id") ON DELETE CASCADE"#));
//! ```

mod checks;
mod columns;
pub mod ddl;
pub mod diff;
mod drift;
pub mod introspect;
mod migration;
mod order;
mod plan;
mod renames;
pub mod snapshot;
mod soft_delete;

use std::collections::BTreeMap;

pub use crate::meta::{
    Check, CheckMeta, ColumnMeta, DefaultValue, FkAction, ForeignKeyMeta, Generated, IndexMeta,
    LIVE_MARKER, SoftDelete, SoftDeleteKind, SqlPerDialect, TableMeta,
};
pub use drift::{
    Aspect, Drift, DriftKind, DriftOptions, Object, assert_no_live_drift, drift, drift_between,
    drift_with,
};
pub use migration::{
    GenerateOptions, GeneratedMigration, Migration, MigrationDir, MigrationError, Plan,
    assert_no_drift,
};

use crate::backend::Dialect;

/// A table handed to the registry by `#[derive(Entity)]`.
#[doc(hidden)]
pub struct Registration(pub fn() -> &'static TableMeta);

inventory::collect!(Registration);

/// The audit log's table (`audit::AuditRecord`).
const AUDIT_TABLE: &str = "entable_audit";

/// Every table registered by `#[derive(Entity)]` in this program, sorted by
/// qualified name.
///
/// Registration happens at link time, so only entities in crates that are
/// linked into the binary appear.
pub fn registered_tables() -> Vec<&'static TableMeta> {
    let mut tables: Vec<_> = inventory::iter::<Registration>
        .into_iter()
        .map(|r| (r.0)())
        .collect();
    tables.sort_by_key(|t| t.qualified_name());
    tables.dedup_by(|a, b| std::ptr::eq(*a, *b));
    tables
}

/// What is wrong with a set of tables.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchemaError {
    /// Two entities map to the same table. Schemas are ignored on MySQL and
    /// SQLite and names compare case-insensitively there, so `auth.users`,
    /// `users` and `Users` are all the same table.
    #[error(
        "entities `{first}` and `{second}` both map to table `{table}` (table names must differ without their schema and regardless of case, as on MySQL and SQLite)"
    )]
    DuplicateTable {
        /// The table.
        table: String,
        /// One entity.
        first: &'static str,
        /// The other.
        second: &'static str,
    },
    /// A foreign key points at a table that is not part of the schema.
    #[error(
        "foreign key `{foreign_key}` of `{entity}` references table `{target}` (entity `{target_entity}`), which is not in the schema"
    )]
    MissingTable {
        /// The referencing entity.
        entity: &'static str,
        /// The constraint.
        foreign_key: &'static str,
        /// The referenced table.
        target: String,
        /// The referenced entity.
        target_entity: &'static str,
    },
}

/// A set of tables in dependency order, ready to render or create.
///
/// Build it from the entities ([`Schema::of`]) or from every entity of the
/// program ([`Schema::from_registry`]); render the DDL of any dialect
/// ([`to_sql`](Schema::to_sql), [`create_statements`](Schema::create_statements))
/// without a database, or run it ([`create_all`](Schema::create_all),
/// [`drop_all`](Schema::drop_all)). For databases that live on, generate
/// migrations from it instead (`docs/migrations.md`, feature `migrate`).
///
/// ```
/// use entable::prelude::*;
///
/// #[derive(Entity)]
/// pub struct Team {
///     #[entity(primary_key, auto_increment)]
///     pub id: i64,
/// }
///
/// #[derive(Entity)]
/// pub struct Player {
///     #[entity(primary_key, auto_increment)]
///     pub id: i64,
///     #[entity(references = Team)]
///     pub team_id: i64,
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> entable::Result<()> {
/// let schema = Schema::of([Player::table(), Team::table()])?; // any order
/// assert_eq!(schema.tables()[0].name, "team"); // referenced tables first
/// assert!(schema.to_sql(Dialect::MySql).contains("CREATE TABLE `player`"));
///
/// let db = Db::connect("sqlite::memory:").await?;
/// schema.create_all(&db).await?;
/// schema.drop_all(&db).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Schema {
    tables: Vec<&'static TableMeta>,
    deferred: Vec<(&'static TableMeta, &'static ForeignKeyMeta)>,
}

impl Schema {
    /// Every entity registered in this program (see [`registered_tables`]).
    pub fn from_registry() -> Result<Schema, SchemaError> {
        let mut tables = registered_tables();
        // The audit log's table is registered in every program; it belongs
        // to the schema only when an entity is audited.
        if !tables.iter().any(|t| t.audited) {
            tables.retain(|t| t.name != AUDIT_TABLE);
        }
        Schema::of(tables)
    }

    /// The given tables, for example `[User::table(), Team::table()]`.
    /// Order does not matter; duplicates of the same entity are ignored.
    ///
    /// When a table is audited (`#[entity(audit)]`), the audit log's table
    /// (`entable_audit`) is added.
    pub fn of(tables: impl IntoIterator<Item = &'static TableMeta>) -> Result<Schema, SchemaError> {
        #[allow(unused_mut)]
        let mut tables: Vec<&'static TableMeta> = tables.into_iter().collect();
        #[cfg(all(feature = "chrono", feature = "json"))]
        if tables.iter().any(|t| t.audited) {
            tables.push(<crate::audit::AuditRecord as crate::Entity>::table());
        }
        let mut by_name: BTreeMap<String, &'static TableMeta> = BTreeMap::new();
        let mut portable: BTreeMap<String, &'static TableMeta> = BTreeMap::new();
        for table in tables {
            by_name.insert(table.qualified_name(), table);
            if let Some(other) = portable.insert(table.name.to_ascii_lowercase(), table)
                && !std::ptr::eq(other, table)
            {
                return Err(SchemaError::DuplicateTable {
                    table: table.qualified_name(),
                    first: other.entity,
                    second: table.entity,
                });
            }
        }
        for table in by_name.values() {
            for fk in table.foreign_keys {
                let target = fk.target();
                if !by_name
                    .get(&target.qualified_name())
                    .is_some_and(|t| std::ptr::eq(*t, target))
                {
                    return Err(SchemaError::MissingTable {
                        entity: table.entity,
                        foreign_key: fk.name,
                        target: target.qualified_name(),
                        target_entity: target.entity,
                    });
                }
            }
        }
        let tables: Vec<_> = by_name.into_values().collect();
        let ordered = order::order(&tables);
        Ok(Schema {
            tables: ordered.tables,
            deferred: ordered.deferred,
        })
    }

    /// The tables, referenced tables before the tables referring to them.
    pub fn tables(&self) -> &[&'static TableMeta] {
        &self.tables
    }

    /// The table called `name` (qualified as `schema.name` where it has a
    /// schema).
    pub fn table(&self, name: &str) -> Option<&'static TableMeta> {
        self.tables
            .iter()
            .copied()
            .find(|t| t.qualified_name() == name)
    }

    /// Foreign keys that close a dependency cycle, as `(table, key)`. On
    /// PostgreSQL and MySQL they are added with `ALTER TABLE` after every
    /// table exists; SQLite declares them inline (it checks foreign keys
    /// only when rows change).
    pub fn deferred_foreign_keys(&self) -> &[(&'static TableMeta, &'static ForeignKeyMeta)] {
        &self.deferred
    }

    /// The statements that create the schema, in order: schemas (PostgreSQL),
    /// tables, indexes, then foreign keys that close cycles.
    pub fn create_statements(&self, dialect: Dialect) -> Vec<String> {
        self.create_statements_with(dialect, false)
    }

    /// Like [`create_statements`](Self::create_statements) with
    /// `IF NOT EXISTS` on schemas, tables and indexes, so that running them
    /// on a database that already has the tables changes nothing. (MySQL has
    /// no `CREATE INDEX IF NOT EXISTS`; MariaDB does.)
    pub fn create_statements_if_not_exists(&self, dialect: Dialect) -> Vec<String> {
        self.create_statements_with(dialect, true)
    }

    fn create_statements_with(&self, dialect: Dialect, if_not_exists: bool) -> Vec<String> {
        let rules = dialect.rules();
        let mut out = Vec::new();
        if rules.supports_schemas() {
            let mut schemas: Vec<_> = self.tables.iter().filter_map(|t| t.schema).collect();
            schemas.sort_unstable();
            schemas.dedup();
            for schema in schemas {
                let mut sql = String::from("CREATE SCHEMA IF NOT EXISTS ");
                dialect.quote_ident(&mut sql, schema);
                out.push(sql);
            }
        }
        let inline_all = !rules.can_add_foreign_key();
        for table in &self.tables {
            let deferred: Vec<&ForeignKeyMeta> = if inline_all {
                Vec::new()
            } else {
                self.deferred
                    .iter()
                    .filter(|(t, _)| std::ptr::eq(*t, *table))
                    .map(|(_, fk)| *fk)
                    .collect()
            };
            out.push(ddl::create_table(dialect, table, if_not_exists, &deferred));
            out.extend(ddl::comment_statements(dialect, table));
            out.extend(ddl::create_indexes(dialect, table, if_not_exists));
        }
        if !inline_all {
            for (table, fk) in &self.deferred {
                out.push(ddl::add_foreign_key(dialect, table, fk, if_not_exists));
            }
        }
        out
    }

    /// The statements that drop every table of the schema, dependants first.
    pub fn drop_statements(&self, dialect: Dialect) -> Vec<String> {
        let mut out = Vec::new();
        for (table, fk) in &self.deferred {
            if let Some(sql) = dialect
                .rules()
                .drop_foreign_key(&ddl::table_ident(dialect, table), fk.name)
            {
                out.push(sql);
            }
        }
        out.extend(
            self.tables
                .iter()
                .rev()
                .map(|t| ddl::drop_table(dialect, t)),
        );
        out
    }

    /// The whole DDL as one script: each statement followed by `;` and a
    /// blank line.
    pub fn to_sql(&self, dialect: Dialect) -> String {
        script(&self.create_statements(dialect))
    }

    /// The migration that creates this schema from nothing (and drops it
    /// again), for [`Migration::write_to`].
    pub fn initial_migration(&self, dialect: Dialect) -> Migration {
        Plan::new(&snapshot::Snapshot::empty(), &snapshot::Snapshot::of(self)).migration(dialect)
    }

    /// Creates every table, index and foreign key on `db`.
    ///
    /// On PostgreSQL and SQLite this runs in one transaction: all or
    /// nothing. MySQL commits each DDL statement on its own, so a failure
    /// there can leave the tables created before it.
    pub async fn create_all(&self, db: &crate::Db) -> crate::Result<()> {
        db.execute_ddl(&self.create_statements(db.dialect())).await
    }

    /// Like [`create_all`](Self::create_all), skipping what already exists.
    pub async fn create_all_if_not_exists(&self, db: &crate::Db) -> crate::Result<()> {
        db.execute_ddl(&self.create_statements_if_not_exists(db.dialect()))
            .await
    }

    /// Drops every table of the schema on `db`, dependants first.
    pub async fn drop_all(&self, db: &crate::Db) -> crate::Result<()> {
        db.execute_ddl(&self.drop_statements(db.dialect())).await
    }
}

pub(crate) fn script(statements: &[String]) -> String {
    let mut out = String::new();
    for statement in statements {
        out.push_str(statement);
        out.push_str(";\n\n");
    }
    out
}
