//! SQL text of an entity's statements: fixed statements built once per
//! dialect, inserts and updates built once per shape (which columns they
//! write), all kept in the entity's [`SqlCache`].

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use crate::backend::Dialect;
use crate::meta::TableMeta;
use crate::schema::ddl::table_ident;

mod upsert;

use upsert::{INSERTED, push_conflict_clause};

/// The cached statements of one entity. `#[derive(Entity)]` gives every
/// entity one, in a `static`.
#[derive(Debug, Default)]
pub struct SqlCache {
    fixed: [OnceLock<Fixed>; 3],
    shaped: OnceLock<RwLock<ShapedStatements>>,
}

/// Statement text by dialect, kind and the columns it writes.
type ShapedStatements = HashMap<(Dialect, Shape, ColumnSet), Arc<str>>;

/// A set of column positions (bit `i` = `table.columns[i]`).
pub type ColumnSet = u128;

/// The most columns a table may have for statements to be cached by shape.
pub const MAX_SHAPED_COLUMNS: usize = 128;

/// The shape of a multi-row insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct BulkInsert {
    /// Rows in the statement.
    pub(crate) rows: usize,
    /// With `RETURNING <all>`.
    pub(crate) returning: bool,
    /// An upsert on these columns.
    pub(crate) upsert: Option<ColumnSet>,
    /// `RETURNING (xmax = 0)` (PostgreSQL, without `returning`): whether
    /// each row was inserted rather than updated.
    pub(crate) inserted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Shape {
    Insert,
    Update,
    /// An insert that updates the row conflicting on these columns.
    Upsert(ColumnSet),
    /// A select by the values of some columns (live rows only).
    SelectBy,
    /// The same, soft-deleted rows included.
    SelectByAny,
    /// A multi-row insert.
    Bulk(BulkInsert),
    /// Which of this many rows' target values a row holds already.
    Existing(usize),
}

/// Statements whose text never changes.
#[derive(Debug)]
pub(crate) struct Fixed {
    /// `SELECT <columns> FROM <table>`.
    pub(crate) select: Arc<str>,
    /// `SELECT <columns> FROM <table> WHERE <key> = ?`.
    pub(crate) select_by_key: Arc<str>,
    /// `DELETE FROM <table> WHERE <key> = ? [AND <version> = ?]`, or on a
    /// soft-deleting table `UPDATE <table> SET <marker> = <deleted>
    /// [, <updated_at> = ?] [, <version> = <version> + 1] WHERE <key> = ?
    /// AND <marker is live> [AND <version> = ?]` (see [`soft_delete_set`]).
    pub(crate) delete_by_key: Arc<str>,
    /// `SELECT <columns> FROM <table> WHERE <key> = ? [FOR UPDATE]`, live or
    /// not: the row as it is before a change is logged.
    pub(crate) lock_by_key: Arc<str>,
    /// `DELETE FROM <table> WHERE <key> = ?`: a real delete, live or not.
    pub(crate) purge_by_key: Arc<str>,
    /// `UPDATE <table> SET <marker> = <live> [, <updated_at> = ?]
    /// [, <version> = <version> + 1] WHERE <key> = ? AND <marker is
    /// deleted>` (soft-deleting tables only; empty elsewhere).
    pub(crate) restore_by_key: Arc<str>,
    /// `UPDATE <table> SET <marker> = <deleted> [, <updated_at> = ?]`, the
    /// start of a set-based soft delete (soft-deleting tables only; empty
    /// elsewhere).
    pub(crate) soft_delete_set: Arc<str>,
    /// `SELECT COUNT(*) FROM <table>`.
    pub(crate) count: Arc<str>,
    /// `SELECT 1 FROM <table>`.
    pub(crate) exists: Arc<str>,
}

impl SqlCache {
    /// An empty cache (usable in a `static`).
    pub const fn new() -> Self {
        SqlCache {
            fixed: [OnceLock::new(), OnceLock::new(), OnceLock::new()],
            shaped: OnceLock::new(),
        }
    }

    pub(crate) fn fixed(&self, dialect: Dialect, table: &TableMeta) -> &Fixed {
        self.fixed[dialect as usize].get_or_init(|| Fixed::build(dialect, table))
    }

    /// `INSERT INTO <table> (<columns>) VALUES (?, …) [RETURNING <all>]`.
    pub(crate) fn insert(
        &self,
        dialect: Dialect,
        table: &TableMeta,
        columns: ColumnSet,
    ) -> Arc<str> {
        self.shaped(dialect, Shape::Insert, columns, || {
            let mut sql = format!("INSERT INTO {} (", table_ident(dialect, table));
            let mut n = 0;
            for (i, column) in positions(table, columns) {
                if i > 0 {
                    sql.push_str(", ");
                }
                dialect.quote_ident(&mut sql, column);
                n += 1;
            }
            sql.push_str(") VALUES (");
            for i in 1..=n {
                if i > 1 {
                    sql.push_str(", ");
                }
                dialect.placeholder(&mut sql, i);
            }
            sql.push(')');
            if n == 0 {
                // Every column takes its default.
                sql = format!("INSERT INTO {} DEFAULT VALUES", table_ident(dialect, table));
                if dialect == Dialect::MySql {
                    sql = format!("INSERT INTO {} () VALUES ()", table_ident(dialect, table));
                }
            }
            push_returning(dialect, table, &mut sql);
            sql
        })
    }

    /// `UPDATE <table> SET <c> = ?, … WHERE <key> = ? [RETURNING <all>]`.
    pub(crate) fn update(
        &self,
        dialect: Dialect,
        table: &TableMeta,
        columns: ColumnSet,
    ) -> Arc<str> {
        self.shaped(dialect, Shape::Update, columns, || {
            let mut sql = format!("UPDATE {} SET ", table_ident(dialect, table));
            let mut n = 0;
            for (i, column) in positions(table, columns) {
                if i > 0 {
                    sql.push_str(", ");
                }
                dialect.quote_ident(&mut sql, column);
                sql.push_str(" = ");
                n += 1;
                dialect.placeholder(&mut sql, n);
            }
            // Raised by the database, so a write never loses a bump.
            push_version_bump(dialect, table, &mut sql, n > 0);
            push_key_condition(dialect, table, &mut sql, n);
            push_live_condition(dialect, table, &mut sql, true);
            push_version_condition(dialect, table, &mut sql, n + table.primary_key.len());
            push_returning(dialect, table, &mut sql);
            sql
        })
    }

    /// `INSERT INTO <table> (<columns>) VALUES (…), … ` for `rows` rows,
    /// with the conflict clause of an upsert on `upsert`'s columns, and
    /// `RETURNING <all>` when asked (PostgreSQL, SQLite). Full chunks are
    /// cached, so every chunk but the last reuses one prepared statement;
    /// a last, shorter chunk is built for the call.
    pub(crate) fn bulk_insert(
        &self,
        dialect: Dialect,
        table: &TableMeta,
        columns: ColumnSet,
        shape: BulkInsert,
        cache: bool,
    ) -> Arc<str> {
        let BulkInsert {
            rows,
            returning,
            upsert,
            inserted,
        } = shape;
        let build = || {
            let mut sql = format!("INSERT INTO {} (", table_ident(dialect, table));
            let mut per_row = 0;
            for (i, column) in positions(table, columns) {
                if i > 0 {
                    sql.push_str(", ");
                }
                dialect.quote_ident(&mut sql, column);
                per_row += 1;
            }
            sql.push_str(") VALUES ");
            let mut n = 0;
            for row in 0..rows {
                sql.push_str(if row == 0 { "(" } else { ", (" });
                for i in 0..per_row {
                    if i > 0 {
                        sql.push_str(", ");
                    }
                    n += 1;
                    dialect.placeholder(&mut sql, n);
                }
                sql.push(')');
            }
            if let Some(target) = upsert {
                push_conflict_clause(dialect, table, columns, target, &mut sql);
            }
            if returning {
                push_returning(dialect, table, &mut sql);
            } else if inserted && dialect == Dialect::Postgres {
                sql.push_str(" RETURNING ");
                sql.push_str(INSERTED);
            }
            sql
        };
        if !cache {
            return Arc::from(build());
        }
        self.shaped(dialect, Shape::Bulk(shape), columns, build)
    }

    /// `SELECT <all> FROM <table> WHERE <c1> = ? AND …` over `columns`
    /// (live rows only, on a soft-deleting table).
    pub(crate) fn select_by(
        &self,
        dialect: Dialect,
        table: &TableMeta,
        columns: ColumnSet,
    ) -> Arc<str> {
        self.select_by_values(dialect, table, columns, true)
    }

    /// [`select_by`](Self::select_by), soft-deleted rows included.
    pub(crate) fn select_by_any(
        &self,
        dialect: Dialect,
        table: &TableMeta,
        columns: ColumnSet,
    ) -> Arc<str> {
        self.select_by_values(dialect, table, columns, false)
    }

    fn select_by_values(
        &self,
        dialect: Dialect,
        table: &TableMeta,
        columns: ColumnSet,
        live: bool,
    ) -> Arc<str> {
        let select = self.fixed(dialect, table).select.clone();
        let shape = if live {
            Shape::SelectBy
        } else {
            Shape::SelectByAny
        };
        self.shaped(dialect, shape, columns, || {
            let mut sql = select.to_string();
            for (i, column) in positions(table, columns) {
                sql.push_str(if i == 0 { " WHERE " } else { " AND " });
                dialect.quote_ident(&mut sql, column);
                sql.push_str(" = ");
                dialect.placeholder(&mut sql, i + 1);
            }
            if live {
                push_live_condition(dialect, table, &mut sql, true);
            }
            sql
        })
    }

    fn shaped(
        &self,
        dialect: Dialect,
        shape: Shape,
        columns: ColumnSet,
        build: impl FnOnce() -> String,
    ) -> Arc<str> {
        let map = self.shaped.get_or_init(Default::default);
        let key = (dialect, shape, columns);
        // Read-mostly: after the first call per shape every call is a
        // shared read. A poisoned lock only means another thread panicked
        // while inserting text; the map itself is still valid.
        if let Some(sql) = map
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&key)
        {
            return Arc::clone(sql);
        }
        let sql: Arc<str> = Arc::from(build());
        let mut map = map.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        Arc::clone(map.entry(key).or_insert(sql))
    }
}

impl Fixed {
    fn build(dialect: Dialect, table: &TableMeta) -> Fixed {
        let select = format!(
            "SELECT {} FROM {}",
            column_list(dialect, table),
            table_ident(dialect, table)
        );
        let mut select_by_key = select.clone();
        push_key_condition(dialect, table, &mut select_by_key, 0);
        push_live_condition(dialect, table, &mut select_by_key, true);
        let mut lock_by_key = select.clone();
        push_key_condition(dialect, table, &mut lock_by_key, 0);
        if dialect != Dialect::Sqlite {
            // SQLite has no row locks: changes that read first begin with
            // `BEGIN IMMEDIATE` there, which takes the write lock.
            lock_by_key.push_str(" FOR UPDATE");
        }
        let mut purge_by_key = format!("DELETE FROM {}", table_ident(dialect, table));
        push_key_condition(dialect, table, &mut purge_by_key, 0);
        let (delete_by_key, restore_by_key) = match table.soft_delete {
            Some(_) => (
                soft_delete(dialect, table, false),
                soft_delete(dialect, table, true),
            ),
            None => {
                let mut delete = purge_by_key.clone();
                push_version_condition(dialect, table, &mut delete, table.primary_key.len());
                (delete, String::new())
            }
        };
        Fixed {
            select: select.into(),
            select_by_key: select_by_key.into(),
            delete_by_key: delete_by_key.into(),
            lock_by_key: lock_by_key.into(),
            purge_by_key: purge_by_key.into(),
            restore_by_key: restore_by_key.into(),
            soft_delete_set: soft_delete_set(dialect, table, false).0.into(),
            count: format!("SELECT COUNT(*) FROM {}", table_ident(dialect, table)).into(),
            exists: format!("SELECT 1 FROM {}", table_ident(dialect, table)).into(),
        }
    }
}

/// `UPDATE <table> SET <marker> = <deleted> [, <updated_at> = ?]` (or, with
/// `restore`, `<marker> = <live>`), without a condition, and the number of
/// values it binds: those of the generated `bind_soft_delete`, the time of
/// a time stamp's delete first, then `updated_at`'s.
fn soft_delete_set(dialect: Dialect, table: &TableMeta, restore: bool) -> (String, usize) {
    let Some(soft) = table.soft_delete else {
        return (String::new(), 0);
    };
    let mut sql = format!("UPDATE {} SET ", table_ident(dialect, table));
    let mut n = 0;
    dialect.quote_ident(&mut sql, soft.column);
    sql.push_str(" = ");
    match soft.kind.deleted_literal(dialect) {
        _ if restore => sql.push_str(soft.kind.live_value(dialect)),
        Some(literal) => sql.push_str(literal),
        None => {
            n += 1;
            dialect.placeholder(&mut sql, n);
        }
    }
    if let Some(updated_at) = table.updated_at {
        n += 1;
        sql.push_str(", ");
        dialect.quote_ident(&mut sql, updated_at);
        sql.push_str(" = ");
        dialect.placeholder(&mut sql, n);
    }
    (sql, n)
}

/// The soft delete (or, with `restore`, the restore) of one row by key; see
/// [`Fixed::delete_by_key`] and [`Fixed::restore_by_key`]. The values bound
/// are those of [`soft_delete_set`], then the key, then (soft delete only)
/// the version.
fn soft_delete(dialect: Dialect, table: &TableMeta, restore: bool) -> String {
    let (mut sql, n) = soft_delete_set(dialect, table, restore);
    if sql.is_empty() {
        return sql;
    }
    push_version_bump(dialect, table, &mut sql, true);
    push_key_condition(dialect, table, &mut sql, n);
    push_live_condition(dialect, table, &mut sql, !restore);
    if !restore {
        push_version_condition(dialect, table, &mut sql, n + table.primary_key.len());
    }
    sql
}

/// `[, ]<version> = <version> + 1` on versioned tables.
fn push_version_bump(dialect: Dialect, table: &TableMeta, sql: &mut String, after_another: bool) {
    if let Some(version) = table.version {
        if after_another {
            sql.push_str(", ");
        }
        dialect.quote_ident(sql, version);
        sql.push_str(" = ");
        dialect.quote_ident(sql, version);
        sql.push_str(" + 1");
    }
}

/// ` AND <marker is live>` (or, without `live`, deleted) on soft-deleting
/// tables (after a key condition).
fn push_live_condition(dialect: Dialect, table: &TableMeta, sql: &mut String, live: bool) {
    if let Some(soft) = table.soft_delete {
        sql.push_str(" AND ");
        soft.push_condition(dialect, sql, live);
    }
}

/// `"a", "b", …`: every column, in metadata order (the order rows decode in).
pub(crate) fn column_list(dialect: Dialect, table: &TableMeta) -> String {
    let mut out = String::new();
    for (i, column) in table.columns.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        dialect.quote_ident(&mut out, column.name);
    }
    out
}

/// ` WHERE "k1" = ? AND "k2" = ?`, placeholders numbered after `before`.
fn push_key_condition(dialect: Dialect, table: &TableMeta, sql: &mut String, before: usize) {
    for (i, column) in table.primary_key.iter().enumerate() {
        sql.push_str(if i == 0 { " WHERE " } else { " AND " });
        dialect.quote_ident(sql, column);
        sql.push_str(" = ");
        dialect.placeholder(sql, before + i + 1);
    }
}

/// ` AND <version> = ?` on versioned tables: the write applies only to the
/// row as it was read.
fn push_version_condition(dialect: Dialect, table: &TableMeta, sql: &mut String, before: usize) {
    if let Some(version) = table.version {
        sql.push_str(" AND ");
        dialect.quote_ident(sql, version);
        sql.push_str(" = ");
        dialect.placeholder(sql, before + 1);
    }
}

fn push_returning(dialect: Dialect, table: &TableMeta, sql: &mut String) {
    if dialect.has_returning() {
        sql.push_str(" RETURNING ");
        sql.push_str(&column_list(dialect, table));
    }
}

/// The columns of `set`, with their rank among the set.
fn positions(
    table: &TableMeta,
    set: ColumnSet,
) -> impl Iterator<Item = (usize, &'static str)> + '_ {
    table
        .columns
        .iter()
        .enumerate()
        .filter(move |(i, _)| set & (1u128 << i) != 0)
        .enumerate()
        .map(|(rank, (_, c))| (rank, c.name))
}
