//! What a live database holds, read from its catalogs (PostgreSQL's
//! `pg_catalog`, MySQL's `information_schema`, SQLite's pragmas), in the
//! same shape [`expected`] builds from an entity's [`TableMeta`], so the
//! two compare with `==` and [`drift`](super::drift()) can name each
//! difference.
//!
//! Both sides are normalised the same way (see [`normalize`]): type names
//! and defaults are spelled one way per dialect, MySQL's `entable_live`
//! marker column is folded into the `unique_live` indexes that use it, and
//! the indexes servers create for themselves (SQLite's for the primary
//! key, InnoDB's for a foreign key without one) are left out.
//!
//! ```no_run
//! # async fn demo(db: &entable::Db) -> entable::Result<()> {
//! use entable::schema::introspect;
//!
//! for table in introspect::database(db).await? {
//!     println!("{}: {} columns, {} indexes", table.name, table.columns.len(), table.indexes.len());
//! }
//! # Ok(())
//! # }
//! ```

#[cfg(feature = "mysql")]
mod mysql;
pub mod normalize;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(any(feature = "sqlx-sqlite", feature = "rusqlite"))]
mod sqlite;

use crate::backend::Dialect;
use crate::driver::{Backend, ColumnValue, FromColumns, SqlText, statement};
use crate::error::Error;
use crate::meta::{DefaultValue, Generated, TableMeta};
use crate::schema::ddl::column_type_in;
use crate::{Db, Result};

use normalize::{canonical_condition, canonical_default, canonical_type};

/// Gets a dialect's pool out of `db`, whose dialect was just matched.
/// A connection the catalog is read on: every statement through the
/// driver's statement path, rows decoded as tuples.
pub(super) struct Catalog<'c, B: Backend> {
    conn: &'c mut B::Conn,
}

fn failed(source: crate::driver::DriverError) -> Error {
    Error::Statement {
        context: "reading the database catalog".into(),
        source,
    }
}

#[allow(dead_code)]
impl<B: Backend> Catalog<'_, B> {
    async fn rows<R: FromColumns<B>>(
        &mut self,
        sql: impl Into<SqlText>,
        args: B::Args,
    ) -> Result<Vec<R>> {
        let rows = statement::fetch_all::<B>(self.conn, sql, args)
            .await
            .map_err(failed)?;
        rows.iter()
            .map(|row| R::from_columns(row).map_err(failed))
            .collect()
    }

    async fn row<R: FromColumns<B>>(
        &mut self,
        sql: impl Into<SqlText>,
        args: B::Args,
    ) -> Result<Option<R>> {
        let row = statement::fetch_optional::<B>(self.conn, sql, args)
            .await
            .map_err(failed)?;
        row.map(|row| R::from_columns(&row).map_err(failed))
            .transpose()
    }

    async fn one<R: FromColumns<B>>(
        &mut self,
        sql: impl Into<SqlText>,
        args: B::Args,
    ) -> Result<R> {
        let row = statement::fetch_one::<B>(self.conn, sql, args)
            .await
            .map_err(failed)?;
        R::from_columns(&row).map_err(failed)
    }

    async fn scalars<T: ColumnValue<B>>(
        &mut self,
        sql: impl Into<SqlText>,
        args: B::Args,
    ) -> Result<Vec<T>> {
        Ok(self
            .rows::<(T,)>(sql, args)
            .await?
            .into_iter()
            .map(|(t,)| t)
            .collect())
    }

    async fn scalar_optional<T: ColumnValue<B>>(
        &mut self,
        sql: impl Into<SqlText>,
        args: B::Args,
    ) -> Result<Option<T>> {
        Ok(self.row::<(T,)>(sql, args).await?.map(|(t,)| t))
    }

    async fn scalar<T: ColumnValue<B>>(
        &mut self,
        sql: impl Into<SqlText>,
        args: B::Args,
    ) -> Result<T> {
        Ok(self.one::<(T,)>(sql, args).await?.0)
    }
}

/// The bind arguments of a catalog query: `args!(Backend, value, …)`.
macro_rules! args {
    ($B:ty $(, $value:expr)*) => {{
        #[allow(unused_mut)]
        let mut args = <$B as crate::driver::Backend>::Args::default();
        $(
            crate::driver::bind::<$B, _>(&mut args, &$value.to_owned())
                .map_err(|e| crate::error::bind_error(crate::error::Context::default(), e))
                .map(|()| ())?;
        )*
        Ok::<_, crate::Error>(args)
    }};
}
pub(super) use args;

/// Runs `$body` with `$cat` a [`Catalog`] on a connection of `$db`.
macro_rules! with_catalog {
    ($db:expr, $cat:ident => $body:expr) => {{
        let mut pooled = $db.checkout(crate::error::Context::default()).await?;
        match &mut pooled {
            #[cfg(feature = "postgres")]
            crate::conn::Pooled::Postgres(c) => {
                let mut $cat = Catalog::<crate::driver::Pg> { conn: &mut **c };
                #[allow(unused_imports)]
                use postgres as dialect;
                $body
            }
            #[cfg(feature = "mysql")]
            crate::conn::Pooled::MySql(c) => {
                let mut $cat = Catalog::<crate::driver::MySql> { conn: &mut **c };
                #[allow(unused_imports)]
                use mysql as dialect;
                $body
            }
            #[cfg(feature = "sqlx-sqlite")]
            crate::conn::Pooled::Sqlite(c) => {
                let mut $cat = Catalog::<crate::driver::Sqlite> { conn: &mut **c };
                #[allow(unused_imports)]
                use sqlite as dialect;
                $body
            }
            #[cfg(feature = "rusqlite")]
            crate::conn::Pooled::Lite(c) => {
                let mut $cat = Catalog::<crate::driver::Lite> { conn: &mut **c };
                #[allow(unused_imports)]
                use sqlite as dialect;
                $body
            }
            crate::conn::Pooled::Never(never) => match *never {},
        }
    }};
}

/// sqlx's migrator's bookkeeping table: part of no schema.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// One table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableInfo {
    /// Its name; on PostgreSQL `schema.name` outside the current schema.
    pub name: String,
    /// Its columns, in the table's order.
    pub columns: Vec<ColumnInfo>,
    /// The primary key's columns, in key order (empty without one).
    pub primary_key: Vec<String>,
    /// The primary key constraint's name where the dialect keeps one:
    /// PostgreSQL only. MySQL always calls it `PRIMARY`; SQLite keeps it
    /// only in the table's stored SQL, never reports it, and a migration
    /// that renames it leaves that text alone (see `docs/migrations.md`),
    /// so it is not compared there.
    pub primary_key_name: Option<String>,
    /// Indexes and unique constraints, sorted by name.
    pub indexes: Vec<IndexInfo>,
    /// Foreign keys, sorted by name.
    pub foreign_keys: Vec<ForeignKeyInfo>,
    /// Names of the CHECK constraints, sorted. Only names: each server
    /// rewrites a condition its own way (PostgreSQL adds casts and
    /// parentheses, MariaDB backquotes), so conditions are not compared.
    /// MariaDB's own `json_valid` checks of JSON columns are left out.
    pub checks: Vec<String>,
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    /// Its name.
    pub name: String,
    /// Its type, in [`normalize::canonical_type`]'s spelling.
    pub sql_type: String,
    /// Whether it accepts NULL.
    pub nullable: bool,
    /// Its default, in [`normalize::canonical_default`]'s spelling.
    pub default: Option<String>,
    /// Numbered by the database (an identity, `AUTO_INCREMENT`,
    /// `AUTOINCREMENT`, or a PostgreSQL `serial`'s `nextval`).
    pub auto_increment: bool,
}

/// An index or unique constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexInfo {
    /// Its name. SQLite names a `UNIQUE` written in `CREATE TABLE`
    /// `sqlite_autoindex_<table>_<n>`.
    pub name: String,
    /// Its columns (or expressions), in order.
    pub columns: Vec<String>,
    /// Whether values must be unique.
    pub unique: bool,
    /// The condition of a partial index, in
    /// [`normalize::canonical_condition`]'s spelling: a `unique_live`
    /// index has `<soft-delete column> is null` (on MySQL, read from the
    /// `entable_live` marker column the index ends with).
    pub condition: Option<String>,
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKeyInfo {
    /// Its name (SQLite: as declared with `CONSTRAINT name`, else empty).
    pub name: String,
    /// The referencing columns.
    pub columns: Vec<String>,
    /// The referenced table, named as [`TableInfo::name`] names tables.
    pub target_table: String,
    /// The referenced columns.
    pub target_columns: Vec<String>,
    /// `ON DELETE` action, in SQL words (`NO ACTION`, `CASCADE`, …).
    pub on_delete: String,
    /// `ON UPDATE` action.
    pub on_update: String,
}

/// Names of the tables in the database, sorted (on PostgreSQL qualified
/// as `schema.name` outside the current schema; system schemas left out).
/// sqlx's `_sqlx_migrations` and SQLite's internal `sqlite_*` tables are
/// left out.
pub async fn table_names(db: &Db) -> Result<Vec<String>> {
    let mut names: Vec<String> = with_catalog!(db, cat => dialect::table_names(&mut cat).await?);
    names.retain(|n| n != MIGRATIONS_TABLE);
    names.sort();
    Ok(names)
}

/// What the database holds for `table` (looked up in its schema on
/// PostgreSQL, else in the current one), or `None` if there is no such
/// table.
pub async fn table(db: &Db, table: &TableMeta) -> Result<Option<TableInfo>> {
    let schema = table.schema.filter(|_| db.dialect() == Dialect::Postgres);
    let mut info = read(db, schema, table.name).await?;
    if let Some(info) = &mut info {
        info.name = qualified(db.dialect(), table);
    }
    Ok(info)
}

/// Every table of the database ([`table_names`]), sorted by name.
pub async fn database(db: &Db) -> Result<Vec<TableInfo>> {
    let mut out = Vec::new();
    for name in table_names(db).await? {
        let (schema, table) = match name.split_once('.') {
            Some((schema, table)) if db.dialect() == Dialect::Postgres => (Some(schema), table),
            _ => (None, name.as_str()),
        };
        if let Some(mut info) = read(db, schema, table).await? {
            info.name = name.clone();
            out.push(info);
        }
    }
    Ok(out)
}

async fn read(db: &Db, schema: Option<&str>, name: &str) -> Result<Option<TableInfo>> {
    let info = with_catalog!(db, cat => dialect::table(&mut cat, schema, name).await?);
    Ok(info.map(sorted))
}

fn sorted(mut info: TableInfo) -> TableInfo {
    info.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    info.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
    info.checks.sort();
    info
}

/// `table`'s name as [`TableInfo::name`] has it in `dialect`.
pub fn qualified(dialect: Dialect, table: &TableMeta) -> String {
    match (dialect, table.schema) {
        (Dialect::Postgres, Some(schema)) => format!("{schema}.{}", table.name),
        _ => table.name.to_owned(),
    }
}

/// What a database created by entable from `table` holds in `dialect`.
pub fn expected(dialect: Dialect, table: &TableMeta) -> TableInfo {
    let columns = table
        .columns
        .iter()
        .map(|c| {
            let auto = c.generated == Some(Generated::AutoIncrement);
            let ddl_type = if auto && dialect == Dialect::Sqlite {
                "INTEGER".to_owned()
            } else {
                column_type_in(dialect, table, c)
            };
            ColumnInfo {
                name: c.name.to_owned(),
                sql_type: canonical_type(dialect, &ddl_type),
                nullable: c.nullable,
                default: c.default.as_ref().map(|d| expected_default(dialect, d)),
                auto_increment: auto,
            }
        })
        .collect();
    let live = |live: bool| {
        table.soft_delete.filter(|_| live).map(|marker| {
            let mut condition = marker.column.to_owned();
            marker.kind.push_condition(dialect, &mut condition, true);
            canonical_condition(&condition)
        })
    };
    let indexes = table
        .indexes
        .iter()
        .map(|i| IndexInfo {
            name: i.name.to_owned(),
            columns: i.columns.iter().map(|c| (*c).to_owned()).collect(),
            unique: i.unique,
            condition: live(i.live),
        })
        .collect();
    let foreign_keys = table
        .foreign_keys
        .iter()
        .map(|fk| ForeignKeyInfo {
            name: fk.name.to_owned(),
            columns: vec![fk.column.to_owned()],
            target_table: qualified(dialect, fk.target()),
            target_columns: vec![fk.target_column().to_owned()],
            on_delete: fk.on_delete.sql().to_owned(),
            on_update: fk.on_update.sql().to_owned(),
        })
        .collect();
    let inline_key = dialect == Dialect::Sqlite
        && table
            .columns
            .iter()
            .any(|c| c.generated == Some(Generated::AutoIncrement));
    let primary_key_name = match dialect {
        Dialect::MySql | Dialect::Sqlite => None,
        _ if inline_key || table.primary_key.is_empty() => None,
        _ => Some(table.primary_key_name.to_owned()),
    };
    sorted(TableInfo {
        name: qualified(dialect, table),
        columns,
        primary_key: table.primary_key.iter().map(|c| (*c).to_owned()).collect(),
        primary_key_name,
        indexes,
        foreign_keys,
        checks: table
            .check_constraints()
            .into_iter()
            .map(|c| c.name)
            .collect(),
    })
}

fn expected_default(dialect: Dialect, default: &DefaultValue) -> String {
    let text = match default {
        DefaultValue::Bool(b) => dialect.rules().bool_literal(*b).to_owned(),
        DefaultValue::Int(i) => i.to_string(),
        DefaultValue::Float(f) => (*f).to_owned(),
        DefaultValue::Text(t) => {
            let mut out = String::new();
            dialect.quote_str(&mut out, t);
            out
        }
        DefaultValue::Sql(sql) => sql.get(dialect).to_owned(),
    };
    canonical_default(&text, backslash_escapes(dialect))
}

/// Whether string literals in `dialect`'s catalogs use `\` escapes.
fn backslash_escapes(dialect: Dialect) -> bool {
    dialect == Dialect::MySql
}

/// Folds MySQL's `entable_live` marker into the indexes that end with it:
/// the column is dropped from them and from the table, and each such index
/// gets the marker's condition. A marker no index uses stays a column.
#[cfg(feature = "mysql")]
fn fold_live_marker(info: &mut TableInfo, condition: Option<String>) {
    let mut used = false;
    for index in &mut info.indexes {
        if index
            .columns
            .last()
            .is_some_and(|c| c == crate::meta::LIVE_MARKER)
        {
            index.columns.pop();
            index.condition.clone_from(&condition);
            used = true;
        }
    }
    if used {
        info.columns.retain(|c| c.name != crate::meta::LIVE_MARKER);
    }
}
