//! The statements of upserts: the conflict clause, PostgreSQL's mark of an
//! inserted row, and the read that tells which rows exist already.

use std::sync::Arc;

use super::{ColumnSet, Shape, SqlCache, positions, push_live_condition, push_returning};
use crate::backend::Dialect;
use crate::meta::TableMeta;
use crate::schema::ddl::table_ident;

impl SqlCache {
    /// `INSERT … ON CONFLICT (<target>) DO UPDATE SET …` (PostgreSQL,
    /// SQLite) or `… ON DUPLICATE KEY UPDATE …` (MySQL): every written
    /// column except the target and the key is overwritten.
    pub(crate) fn upsert(
        &self,
        dialect: Dialect,
        table: &TableMeta,
        columns: ColumnSet,
        target: ColumnSet,
    ) -> Arc<str> {
        // The plain insert is the start of the upsert.
        let insert = self.insert(dialect, table, columns);
        self.shaped(dialect, Shape::Upsert(target), columns, || {
            let returning = insert.find(" RETURNING ").unwrap_or(insert.len());
            let mut sql = insert[..returning].to_owned();
            push_conflict_clause(dialect, table, columns, target, &mut sql);
            push_returning(dialect, table, &mut sql);
            if dialect == Dialect::Postgres {
                // After the columns, which decode by position.
                sql.push_str(", ");
                sql.push_str(INSERTED);
            }
            sql
        })
    }

    /// `SELECT 0 FROM <table> WHERE <target> = (?, …) [AND <live>] UNION
    /// ALL SELECT 1 …` for `rows` rows: the positions of the rows whose
    /// target values a row holds already (a live one when the target is a
    /// `unique_live` key, which only live rows conflict on). One branch a
    /// row, each an index lookup with the values compared to the column
    /// itself (no derived table, whose column collations MySQL may refuse
    /// to compare). Full chunks are cached, as for bulk inserts.
    pub(crate) fn existing(
        &self,
        dialect: Dialect,
        table: &TableMeta,
        target: ColumnSet,
        rows: usize,
        cache: bool,
    ) -> Arc<str> {
        let build = || {
            let live = table.indexes.iter().any(|i| {
                i.live
                    && i.columns.len() == target.count_ones() as usize
                    && positions(table, target).all(|(_, c)| i.columns.contains(&c))
            });
            let from = table_ident(dialect, table);
            let mut sql = String::new();
            let mut n = 0;
            for row in 0..rows {
                if row > 0 {
                    sql.push_str(" UNION ALL ");
                }
                sql.push_str(&format!("SELECT {row} FROM {from}"));
                for (i, column) in positions(table, target) {
                    sql.push_str(if i == 0 { " WHERE " } else { " AND " });
                    dialect.quote_ident(&mut sql, column);
                    sql.push_str(" = ");
                    n += 1;
                    dialect.placeholder(&mut sql, n);
                }
                if live {
                    push_live_condition(dialect, table, &mut sql, true);
                }
            }
            sql
        };
        if !cache {
            return Arc::from(build());
        }
        self.shaped(dialect, Shape::Existing(rows), target, build)
    }
}

/// ` ON CONFLICT (<target>) [WHERE <live>] DO UPDATE SET …` (PostgreSQL,
/// SQLite) or ` ON DUPLICATE KEY UPDATE …` (MySQL) after an insert of
/// `columns`: every written column except the target and the key is
/// overwritten (`created_at` kept, the soft-delete marker made live, `version`
/// raised).
pub(super) fn push_conflict_clause(
    dialect: Dialect,
    table: &TableMeta,
    columns: ColumnSet,
    target: ColumnSet,
    sql: &mut String,
) {
    let key: ColumnSet = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| table.primary_key.contains(&c.name))
        .fold(0, |set, (i, _)| set | (1u128 << i));
    let mut assignments: Vec<&str> = positions(table, columns & !target & !key)
        .map(|(_, c)| c)
        .filter(|c| Some(*c) != table.created_at)
        .collect();
    if assignments.is_empty() {
        // Nothing to overwrite: assign a target column to itself so
        // the conflicting row is still returned.
        assignments = positions(table, target).map(|(_, c)| c).take(1).collect();
    }
    if dialect == Dialect::MySql {
        sql.push_str(" ON DUPLICATE KEY UPDATE ");
    } else {
        sql.push_str(" ON CONFLICT (");
        for (i, column) in positions(table, target) {
            if i > 0 {
                sql.push_str(", ");
            }
            dialect.quote_ident(sql, column);
        }
        sql.push(')');
        if let Some(soft) = table.soft_delete {
            // A partial index is only inferred from a target that
            // repeats its condition.
            let names: Vec<&str> = positions(table, target).map(|(_, c)| c).collect();
            let live = table.indexes.iter().any(|i| {
                i.live
                    && i.columns.len() == names.len()
                    && i.columns.iter().all(|c| names.contains(c))
            });
            if live {
                sql.push_str(" WHERE ");
                soft.push_condition(dialect, sql, true);
            }
        }
        sql.push_str(" DO UPDATE SET ");
    }
    for (i, column) in assignments.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        let mut name = String::new();
        dialect.quote_ident(&mut name, column);
        if dialect == Dialect::MySql {
            sql.push_str(&format!("{name} = VALUES({name})"));
        } else {
            sql.push_str(&format!("{name} = EXCLUDED.{name}"));
        }
    }
    if let Some(soft) = table.soft_delete {
        // The row written is live, even when the one it replaces
        // was soft-deleted.
        sql.push_str(", ");
        dialect.quote_ident(sql, soft.column);
        sql.push_str(" = ");
        sql.push_str(soft.kind.live_value(dialect));
    }
    if let Some(version) = table.version {
        // Overwriting a row is an update of it: its version rises.
        let mut name = String::new();
        dialect.quote_ident(&mut name, version);
        let existing = format!("{}.{name}", table_ident(dialect, table));
        sql.push_str(&format!(", {name} = {existing} + 1"));
    }
}

/// PostgreSQL's mark of a row an upsert inserted: a row it updated has the
/// updating transaction in `xmax`, a new one has none.
pub(super) const INSERTED: &str = "(xmax = 0)";
