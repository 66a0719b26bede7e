//! SQLite: what `ALTER TABLE` can do in place; every other change to a
//! table by the rebuild SQLite's documentation prescribes.

use super::*;

/// SQLite: renames, new and dropped tables, simple added columns and
/// indexes in place; every other change to a table by rebuilding it.
pub(super) fn script(
    out: &mut Writer,
    current: &Snapshot,
    new: &Snapshot,
    changes: &[Change],
    fill: bool,
) -> Script {
    let d = Dialect::Sqlite;
    let mut rebuilt: Vec<String> = Vec::new();
    for change in changes {
        let table = change.table();
        let in_place = match change {
            Change::RenameTable { .. }
            | Change::RenameColumn { .. }
            | Change::CreateTable(_)
            | Change::DropTable(_)
            | Change::AddIndex { .. }
            | Change::DropIndex { .. }
            | Change::AlterTableComment { .. } => true,
            Change::AddColumn { column, .. } => can_add_in_place(column),
            Change::AlterPrimaryKey { from, to, .. } => from.1 == to.1,
            // A new table declares its foreign keys inline.
            Change::AddForeignKey { .. } => current.table(&table).is_none(),
            // A dropped table takes its foreign keys with it.
            Change::DropForeignKey { .. } => new.table(&table).is_none(),
            Change::AlterColumn { from, to, .. } => unchanged_on(d, from, to),
            // SQLite cannot add or drop a constraint in place.
            Change::AddCheck { .. } | Change::DropCheck { .. } => false,
            Change::DropColumn { .. } => false,
        };
        if !in_place && !rebuilt.contains(&table) {
            rebuilt.push(table);
        }
    }
    let mut no_transaction = !rebuilt.is_empty();
    for change in changes {
        let table = change.table();
        if rebuilt.contains(&table)
            && !matches!(
                change,
                Change::RenameTable { .. } | Change::RenameColumn { .. }
            )
        {
            continue;
        }
        let note = change.describe();
        let destructive = change.is_destructive();
        let sql = match change {
            // Schemas do not exist on SQLite: a move alone is nothing.
            Change::RenameTable { from, to } if split(from).1 == split(to).1 => Vec::new(),
            Change::RenameTable { from, to } => vec![format!(
                "ALTER TABLE {} RENAME TO {}",
                out.table(from),
                out.table(to)
            )],
            Change::RenameColumn { table, from, to } => vec![format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {}",
                out.table(table),
                out.ident(from),
                out.ident(to)
            )],
            Change::CreateTable(t) => vec![render_create_table(d, t, false, |_| true)],
            Change::DropTable(t) => {
                // Dropping deletes the rows first, which would fire the
                // `ON DELETE` actions of tables that referred to it.
                no_transaction = true;
                vec![format!("DROP TABLE {}", out.table(&t.qualified_name()))]
            }
            Change::AddColumn { table, column } => {
                let mut sql = format!("ALTER TABLE {} ADD COLUMN ", out.table(table));
                push_column_definition(d, &mut sql, column);
                vec![sql]
            }
            Change::AddIndex { table, index } => new
                .table(table)
                .map(|t| render_create_index(d, t, index, false))
                .into_iter()
                .collect(),
            Change::DropIndex { index, .. } => {
                vec![format!("DROP INDEX {}", out.ident(&index.name))]
            }
            // Name-only key changes (SQLite does not keep the name apart
            // from the table's text) and inline foreign keys of new tables.
            Change::AlterPrimaryKey { .. }
            | Change::AddForeignKey { .. }
            | Change::DropForeignKey { .. } => Vec::new(),
            Change::DropColumn { .. }
            | Change::AlterColumn { .. }
            | Change::AddCheck { .. }
            | Change::DropCheck { .. } => Vec::new(),
            // Comments live in the snapshot only on SQLite.
            Change::AlterTableComment { .. } => Vec::new(),
        };
        for sql in sql {
            out.push(&note, destructive, sql);
        }
    }
    for name in &rebuilt {
        let (Some(before), Some(after)) = (current.table(name), new.table(name)) else {
            continue;
        };
        rebuild(out, before, after, changes, fill);
    }
    if no_transaction {
        out.push(
            "every foreign key still holds",
            false,
            "CREATE TEMP TABLE \"entable_fk_check\" (\"violations\" INTEGER NOT NULL CONSTRAINT \"foreign keys broken by this migration\" CHECK (\"violations\" = 0))".to_owned(),
        );
        out.statements.push(
            "INSERT INTO \"entable_fk_check\" SELECT COUNT(*) FROM pragma_foreign_key_check"
                .to_owned(),
        );
        out.statements
            .push("DROP TABLE \"entable_fk_check\"".to_owned());
        let mut wrapped = vec!["PRAGMA foreign_keys = OFF".to_owned(), "BEGIN".to_owned()];
        wrapped.append(&mut out.statements);
        wrapped.push("COMMIT".to_owned());
        wrapped.push("PRAGMA foreign_keys = ON".to_owned());
        out.statements = wrapped;
    }
    Script {
        statements: std::mem::take(&mut out.statements),
        no_transaction,
    }
}

/// Whether SQLite's `ALTER TABLE … ADD COLUMN` can add `column`: not a key,
/// and NULL or a constant for the rows already there.
pub(super) fn can_add_in_place(column: &ColumnSnapshot) -> bool {
    if column.auto_increment {
        return false;
    }
    match &column.default {
        None => column.nullable,
        Some(default) => {
            let d = default.sqlite.trim();
            !d.starts_with('(') && !d.to_ascii_uppercase().starts_with("CURRENT_")
        }
    }
}

/// SQLite's rebuild of one table into its new shape.
pub(super) fn rebuild(
    out: &mut Writer,
    before: &TableSnapshot,
    after: &TableSnapshot,
    changes: &[Change],
    fill: bool,
) {
    let d = Dialect::Sqlite;
    let name = after.qualified_name();
    let temp = format!("{REBUILD_PREFIX}{}", after.name);
    let temp = match &after.schema {
        Some(schema) => format!("{schema}.{temp}"),
        None => temp,
    };
    let what: Vec<String> = changes
        .iter()
        .filter(|c| {
            c.table() == name
                && !matches!(c, Change::RenameTable { .. } | Change::RenameColumn { .. })
        })
        .map(|c| {
            let mark = if c.is_destructive() {
                "DESTRUCTIVE: "
            } else {
                ""
            };
            format!("--   {mark}{}", c.describe())
        })
        .collect();
    out.statements.push(format!(
        "-- rebuild {name} (SQLite cannot alter it in place):\n{}\n{}",
        what.join("\n"),
        render_create_table_as(d, after, &temp, false, |_| true)
    ));
    // Columns both shapes have are copied; new ones take their default,
    // or (`fill`) the zero value of their type.
    let mut targets = Vec::new();
    let mut sources = Vec::new();
    for column in &after.columns {
        if let Some(old) = before.columns.iter().find(|b| b.name == column.name) {
            targets.push(column.name.as_str());
            let value = rescaled(out.ident(&column.name), old, column);
            match &column.default {
                // NULLs take the default of a column that no longer
                // accepts them.
                Some(default) if old.nullable && !column.nullable => {
                    sources.push(format!("COALESCE({value}, {})", default.get(d)))
                }
                _ => sources.push(value),
            }
        } else if let Some(zero) = fill_value(d, Some(after), column).filter(|_| fill) {
            targets.push(column.name.as_str());
            sources.push(zero);
        }
    }
    let mut columns = String::new();
    push_ident_list(d, &mut columns, &targets);
    out.statements.push(format!(
        "INSERT INTO {} ({columns}) SELECT {} FROM {}",
        out.table(&temp),
        sources.join(", "),
        out.table(&name)
    ));
    if after.columns.iter().any(|c| c.auto_increment)
        && before.columns.iter().any(|c| c.auto_increment)
    {
        // AUTOINCREMENT never reuses a key: the counter goes along, or the
        // new table would start again from its highest row.
        let (mut old_name, mut new_name) = (String::new(), String::new());
        d.quote_str(&mut old_name, &before.name);
        d.quote_str(&mut new_name, temp.rsplit('.').next().unwrap_or(&temp));
        out.statements.push(format!(
            "DELETE FROM sqlite_sequence WHERE name = {new_name}"
        ));
        out.statements.push(format!(
            "INSERT INTO sqlite_sequence (name, seq) SELECT {new_name}, seq FROM sqlite_sequence WHERE name = {old_name}"
        ));
    }
    out.statements
        .push(format!("DROP TABLE {}", out.table(&name)));
    out.statements.push(format!(
        "ALTER TABLE {} RENAME TO {}",
        out.table(&temp),
        out.ident(&after.name)
    ));
    for index in &after.indexes {
        out.statements
            .push(render_create_index(d, after, index, false));
    }
}

/// `value` (a column of `old`) in the representation of `new`: a decimal
/// is stored times 10^scale on SQLite, so a changed scale multiplies or
/// divides the stored integers, rounding half away from zero as
/// PostgreSQL and MySQL do, in integer arithmetic (exact).
fn rescaled(value: String, old: &ColumnSnapshot, new: &ColumnSnapshot) -> String {
    use crate::backend::types::sqlite_decimal_scale;
    let d = Dialect::Sqlite;
    let (Some(from), Some(to)) = (
        sqlite_decimal_scale(old.sql_type.get(d)),
        sqlite_decimal_scale(new.sql_type.get(d)),
    ) else {
        return value;
    };
    match from.cmp(&to) {
        std::cmp::Ordering::Equal => value,
        std::cmp::Ordering::Less => format!("{value} * 1{}", "0".repeat((to - from) as usize)),
        std::cmp::Ordering::Greater => {
            let zeros = (from - to) as usize;
            let half = format!("5{}", "0".repeat(zeros - 1));
            format!(
                "({value} + CASE WHEN {value} < 0 THEN -{half} ELSE {half} END) / 1{}",
                "0".repeat(zeros)
            )
        }
    }
}

/// The prefix of the table a SQLite rebuild creates beside the old one.
pub(super) const REBUILD_PREFIX: &str = "entable_rebuild_";
