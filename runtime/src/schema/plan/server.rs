//! PostgreSQL and MySQL: every change in place, with MySQL's limits on
//! keys and the indexes foreign keys need.

use super::*;

/// PostgreSQL and MySQL: every change in place.
pub(super) fn server_statements(
    dialect: Dialect,
    current: &Snapshot,
    new: &Snapshot,
    change: &Change,
    fill: bool,
) -> Vec<String> {
    let w = Writer {
        dialect,
        statements: Vec::new(),
    };
    let pg = dialect == Dialect::Postgres;
    match change {
        Change::RenameTable { from, to } => {
            let (from_schema, from_name) = split(from);
            let (to_schema, to_name) = split(to);
            let mut out = Vec::new();
            if pg && from_schema != to_schema {
                // A move between schemas; `public` when none is named.
                out.push(format!(
                    "ALTER TABLE {} SET SCHEMA {}",
                    w.table(from),
                    w.ident(to_schema.unwrap_or("public"))
                ));
            }
            if from_name != to_name {
                let moved = match to_schema {
                    Some(schema) => format!("{schema}.{from_name}"),
                    None => from_name.to_owned(),
                };
                out.push(if pg {
                    format!(
                        "ALTER TABLE {} RENAME TO {}",
                        w.table(&moved),
                        w.ident(to_name)
                    )
                } else {
                    format!("RENAME TABLE {} TO {}", w.table(from), w.table(to))
                });
            }
            out
        }
        Change::RenameColumn { table, from, to } => vec![format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            w.table(table),
            w.ident(from),
            w.ident(to)
        )],
        // Foreign keys come as their own changes, once every table exists.
        Change::CreateTable(t) => {
            let mut out = vec![render_create_table(dialect, t, false, |_| false)];
            out.extend(render_comments(dialect, t));
            out
        }
        Change::DropTable(t) => vec![format!("DROP TABLE {}", w.table(&t.qualified_name()))],
        Change::AddColumn { table, column } if !pg && column.auto_increment => {
            // MySQL: an AUTO_INCREMENT column must be a key the moment it
            // exists, so the key changes in the same statement.
            let mut sql = format!("ALTER TABLE {} ", w.table(table));
            if current
                .table(table)
                .is_some_and(|t| !t.primary_key.is_empty())
            {
                sql.push_str("DROP PRIMARY KEY, ");
            }
            sql.push_str("ADD COLUMN ");
            push_column_definition(dialect, &mut sql, column);
            sql.push_str(", ADD PRIMARY KEY (");
            let key = new
                .table(table)
                .map(|t| t.primary_key.clone())
                .unwrap_or_default();
            push_ident_list(dialect, &mut sql, &key);
            sql.push(')');
            vec![sql]
        }
        Change::AddColumn { table, column } => {
            let mut sql = format!("ALTER TABLE {} ADD COLUMN ", w.table(table));
            let mut out = match fill_value(dialect, new.table(table), column).filter(|_| fill) {
                Some(zero) => {
                    // Filled through a default that goes right after.
                    let mut filled = column.clone();
                    filled.default = Some(crate::schema::snapshot::PerDialect {
                        postgres: zero.clone(),
                        mysql: zero.clone(),
                        sqlite: zero,
                    });
                    push_column_definition(dialect, &mut sql, &filled);
                    vec![
                        sql,
                        format!(
                            "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT",
                            w.table(table),
                            w.ident(&column.name)
                        ),
                    ]
                }
                None => {
                    push_column_definition(dialect, &mut sql, column);
                    vec![sql]
                }
            };
            if pg && column.comment.is_some() {
                out.push(column_comment(
                    dialect,
                    table,
                    &column.name,
                    column.comment.as_deref(),
                ));
            }
            out
        }
        Change::DropColumn { table, column } => vec![format!(
            "ALTER TABLE {} DROP COLUMN {}",
            w.table(table),
            w.ident(&column.name)
        )],
        Change::AlterColumn { from, to, .. } if super::unchanged_on(dialect, from, to) => {
            Vec::new()
        }
        Change::AlterColumn { table, from, to } if pg => alter_column_postgres(&w, table, from, to),
        Change::AlterColumn { table, from, to } => {
            let mut out = Vec::new();
            if from.nullable
                && !to.nullable
                && let Some(default) = &to.default
            {
                out.push(null_to_default(&w, table, &to.name, default.get(dialect)));
            }
            let mut sql = format!("ALTER TABLE {} MODIFY COLUMN ", w.table(table));
            push_column_definition(dialect, &mut sql, to);
            out.push(sql);
            out
        }
        Change::AlterPrimaryKey { table, from, to } => {
            let t = w.table(table);
            match (pg, from.1 == to.1) {
                (true, true) => vec![format!(
                    "ALTER TABLE {t} RENAME CONSTRAINT {} TO {}",
                    w.ident(&from.0),
                    w.ident(&to.0)
                )],
                (true, false) => {
                    let mut sql = format!(
                        "ALTER TABLE {t} DROP CONSTRAINT IF EXISTS {}, ADD CONSTRAINT {} PRIMARY KEY (",
                        w.ident(&from.0),
                        w.ident(&to.0)
                    );
                    push_ident_list(dialect, &mut sql, &to.1);
                    sql.push(')');
                    vec![sql]
                }
                // MySQL names every primary key PRIMARY.
                (false, true) => Vec::new(),
                (false, false) => {
                    let (before, after) = (current.table(table), new.table(table));
                    // Made with a new AUTO_INCREMENT column (see AddColumn).
                    if after.is_some_and(|a| {
                        a.columns.iter().any(|c| {
                            c.auto_increment
                                && before
                                    .is_some_and(|b| !b.columns.iter().any(|o| o.name == c.name))
                        })
                    }) {
                        return Vec::new();
                    }
                    // Dropping every column of a key drops the key.
                    let key_gone = after.is_some_and(|a| {
                        from.1
                            .iter()
                            .all(|c| !a.columns.iter().any(|n| n.name == *c))
                    });
                    let mut sql = format!("ALTER TABLE {t} ");
                    if !key_gone {
                        sql.push_str("DROP PRIMARY KEY, ");
                    }
                    sql.push_str("ADD PRIMARY KEY (");
                    push_ident_list(dialect, &mut sql, &to.1);
                    sql.push(')');
                    vec![sql]
                }
            }
        }
        // The new snapshot's table names the soft-delete column a `live`
        // index is conditioned on.
        Change::AddIndex { table, index } => new
            .table(table)
            .map(|t| render_create_index(dialect, t, index, false))
            .into_iter()
            .collect(),
        Change::DropIndex { table, index } => {
            if pg {
                // Indexes belong to the table's schema on PostgreSQL.
                let qualified = match table.split_once('.') {
                    Some((schema, _)) => format!("{schema}.{}", index.name),
                    None => index.name.clone(),
                };
                vec![format!("DROP INDEX {}", w.table(&qualified))]
            } else {
                vec![format!(
                    "DROP INDEX {} ON {}",
                    w.ident(&index.name),
                    w.table(table)
                )]
            }
        }
        Change::AddForeignKey { table, foreign_key } => {
            vec![render_add_foreign_key(dialect, table, foreign_key, false)]
        }
        Change::AlterTableComment { table, to, .. } if pg => {
            vec![table_comment(dialect, table, to.as_deref())]
        }
        Change::AlterTableComment { table, to, .. } => {
            // MySQL: an empty comment is no comment.
            let mut sql = format!("ALTER TABLE {} COMMENT = ", w.table(table));
            dialect.quote_str(&mut sql, to.as_deref().unwrap_or(""));
            vec![sql]
        }
        Change::AddCheck { table, check } => {
            let mut sql = format!("ALTER TABLE {} ADD ", w.table(table));
            push_check_definition(dialect, &mut sql, check);
            vec![sql]
        }
        // `DROP CONSTRAINT` on PostgreSQL, MariaDB and MySQL from 8.0.19
        // (MySQL's own `DROP CHECK` is unknown to MariaDB).
        Change::DropCheck { table, check } => vec![format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            w.table(table),
            w.ident(&check.name)
        )],
        Change::DropForeignKey { table, foreign_key } if pg => vec![format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            w.table(table),
            w.ident(&foreign_key.name)
        )],
        Change::DropForeignKey { table, foreign_key } => {
            let mut out = vec![format!(
                "ALTER TABLE {} DROP FOREIGN KEY {}",
                w.table(table),
                w.ident(&foreign_key.name)
            )];
            if current
                .table(table)
                .is_some_and(|t| has_implicit_index(t, foreign_key))
            {
                out.push(format!(
                    "DROP INDEX {} ON {}",
                    w.ident(&foreign_key.name),
                    w.table(table)
                ));
            }
            out
        }
    }
}

pub(super) fn alter_column_postgres(
    w: &Writer,
    table: &str,
    from: &ColumnSnapshot,
    to: &ColumnSnapshot,
) -> Vec<String> {
    let d = Dialect::Postgres;
    let prefix = format!(
        "ALTER TABLE {} ALTER COLUMN {}",
        w.table(table),
        w.ident(&to.name)
    );
    let mut out = Vec::new();
    let retyped = from.sql_type.get(d) != to.sql_type.get(d);
    if from.auto_increment && !to.auto_increment {
        out.push(format!("{prefix} DROP IDENTITY IF EXISTS"));
    }
    // A default of the old type may not cast to the new one: it is set
    // again after the type changes.
    if from.default.is_some() && (retyped || to.default.is_none()) {
        out.push(format!("{prefix} DROP DEFAULT"));
    }
    if retyped {
        let ty = to.sql_type.get(d);
        out.push(format!(
            "{prefix} TYPE {ty} USING {}::{ty}",
            w.ident(&to.name)
        ));
    }
    let not_null = !to.nullable || to.auto_increment;
    let was_not_null = !from.nullable || from.auto_increment;
    if not_null
        && !was_not_null
        && let Some(default) = &to.default
    {
        out.push(null_to_default(w, table, &to.name, default.get(d)));
    }
    if not_null != was_not_null {
        out.push(format!(
            "{prefix} {} NOT NULL",
            if not_null { "SET" } else { "DROP" }
        ));
    }
    if let Some(default) = &to.default
        && (retyped || from.default.as_ref() != Some(default))
    {
        out.push(format!("{prefix} SET DEFAULT {}", default.get(d)));
    }
    if to.auto_increment && !from.auto_increment {
        out.push(format!("{prefix} ADD GENERATED BY DEFAULT AS IDENTITY"));
        // An identity starts at 1; the rows there already hold keys. (MySQL
        // and SQLite continue from the highest key by themselves.)
        let mut table_text = String::new();
        d.quote_str(&mut table_text, &w.table(table));
        let mut column_text = String::new();
        d.quote_str(&mut column_text, &to.name);
        out.push(format!(
            "SELECT setval(pg_get_serial_sequence({table_text}, {column_text}), COALESCE(MAX({col}), 0) + 1, false) FROM {}",
            w.table(table),
            col = w.ident(&to.name)
        ));
    }
    if from.comment != to.comment {
        out.push(column_comment(d, table, &to.name, to.comment.as_deref()));
    }
    out
}

/// MySQL creates an index named after a foreign key when no index starts
/// with its column, and drops it on its own once one does. It outlives the
/// key, so it goes with it.
pub(super) fn has_implicit_index(table: &TableSnapshot, fk: &ForeignKeySnapshot) -> bool {
    let leads = |columns: &[String]| columns.first().is_some_and(|c| *c == fk.column);
    !leads(&table.primary_key) && !table.indexes.iter().any(|i| leads(&i.columns))
}

/// MySQL refuses to drop the only index a foreign key can use. Such a drop
/// is made last, once the indexes that replace it exist (or together with
/// the index a fresh table would have for the key).
pub(super) fn needed_by_foreign_key(
    current: &Snapshot,
    new: &Snapshot,
    changes: &[Change],
    change: &Change,
) -> bool {
    let Change::DropIndex { table, index } = change else {
        return false;
    };
    let (Some(column), Some(before), Some(after)) = (
        index.columns.first(),
        current.table(table),
        new.table(table),
    ) else {
        return false;
    };
    let dropped_fk = |name: &str| {
        changes.iter().any(
            |c| matches!(c, Change::DropForeignKey { foreign_key, .. } if foreign_key.name == name),
        )
    };
    let kept_fk = before
        .foreign_keys
        .iter()
        .any(|fk| fk.column == *column && !dropped_fk(&fk.name))
        && after.foreign_keys.iter().any(|fk| fk.column == *column);
    let other_index = leads(&before.primary_key, column)
        || before
            .indexes
            .iter()
            .any(|i| i.name != index.name && leads(&i.columns, column));
    kept_fk && !other_index
}
