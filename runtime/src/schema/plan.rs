//! A migration's statements per dialect: each [`Change`] as the SQL that
//! makes it, with SQLite's table rebuild where `ALTER TABLE` cannot.
//!
//! SQLite alters little in place (rename, add a column with a constant
//! default, indexes). Any other change to a table (dropping or altering a
//! column, the primary key, foreign keys) rebuilds it the way SQLite's
//! documentation prescribes: create the new table beside the old, copy the
//! rows, drop the old, rename the new, recreate the indexes, then check
//! every foreign key. Dropping a table, like the rebuild, must not fire
//! `ON DELETE` actions in the tables that referred to it, so such a script
//! turns foreign keys off around its own transaction (which sqlx is told
//! to leave to it with `-- no-transaction`).

use super::ddl::{
    live_marker_source, push_column_definition, push_ident_list, push_live_marker, qualified_ident,
    render_add_foreign_key, render_create_index, render_create_table, render_create_table_as,
};
use super::diff::{Change, Renames};
use super::meta::LIVE_MARKER;
use super::snapshot::{ColumnSnapshot, ForeignKeySnapshot, Snapshot, TableSnapshot};
use crate::backend::Dialect;

/// The statements of one direction of a migration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Script {
    /// Each statement, preceded by `--` lines saying what it does.
    pub(crate) statements: Vec<String>,
    /// The script runs its own transaction (SQLite with foreign keys off).
    pub(crate) no_transaction: bool,
}

/// The prefix of the table a SQLite rebuild creates beside the old one.
const REBUILD_PREFIX: &str = "entable_rebuild_";

/// The statements that take a database from `old` to `new` on `dialect`;
/// `changes` is `diff_with(old, new, renames)`.
///
/// With `fill`, a NOT NULL column without default that comes (back) to a
/// table holding rows gets the zero value of its type in those rows: the
/// values of a column an up migration dropped are gone when a down
/// migration restores it, and a new one has none yet. Generation refuses
/// such an up migration unless destructive changes are allowed, and MySQL
/// would fill the same zeros by itself; filling makes the three agree.
pub(crate) fn script(
    dialect: Dialect,
    old: &Snapshot,
    new: &Snapshot,
    renames: &Renames,
    changes: &[Change],
    fill: bool,
) -> Script {
    let current = renames.apply(old);
    let mut out = Writer {
        dialect,
        statements: Vec::new(),
    };
    match dialect {
        Dialect::Sqlite => return sqlite(&mut out, &current, new, changes, fill),
        Dialect::Postgres => {
            let mut schemas: Vec<&str> = changes
                .iter()
                .filter_map(|c| match c {
                    Change::CreateTable(t) => t.schema.as_deref(),
                    Change::RenameTable { to, .. } => to.split_once('.').map(|(s, _)| s),
                    _ => None,
                })
                .filter(|s| !old.tables.iter().any(|t| t.schema.as_deref() == Some(*s)))
                .collect();
            schemas.sort_unstable();
            schemas.dedup();
            for schema in schemas {
                let mut sql = String::from("CREATE SCHEMA IF NOT EXISTS ");
                dialect.quote_ident(&mut sql, schema);
                out.push(&format!("schema {schema}"), false, sql);
            }
        }
        Dialect::MySql => {}
    }
    let mut markers = MarkerChanges::new(dialect, &current, new);
    let mut deferred = Vec::new();
    for change in changes {
        markers.before(&mut out, change);
        if dialect == Dialect::MySql && needed_by_foreign_key(&current, new, changes, change) {
            deferred.push(change);
            continue;
        }
        let note = change.describe();
        let destructive = change.is_destructive();
        for sql in server_statements(dialect, &current, new, change, fill) {
            out.push(&note, destructive, sql);
        }
    }
    markers.finish(&mut out);
    for change in deferred {
        let Change::DropIndex { table, index } = change else {
            continue;
        };
        let Some(column) = index.columns.first() else {
            continue;
        };
        let mut sql = format!(
            "ALTER TABLE {} DROP INDEX {}",
            out.table(table),
            out.ident(&index.name)
        );
        let after = new.table(table);
        let covered = after.is_some_and(|t| {
            leads(&t.primary_key, column) || t.indexes.iter().any(|i| leads(&i.columns, column))
        });
        if !covered
            && let Some(fk) =
                after.and_then(|t| t.foreign_keys.iter().find(|fk| fk.column == *column))
        {
            // The index a fresh table gets for the key: named after it.
            sql.push_str(&format!(
                ", ADD INDEX {} ({})",
                out.ident(&fk.name),
                out.ident(column)
            ));
        }
        out.push(&change.describe(), false, sql);
    }
    Script {
        statements: out.statements,
        no_transaction: false,
    }
}

struct Writer {
    dialect: Dialect,
    statements: Vec<String>,
}

impl Writer {
    fn push(&mut self, note: &str, destructive: bool, sql: String) {
        let mark = if destructive { "DESTRUCTIVE: " } else { "" };
        self.statements.push(format!("-- {mark}{note}\n{sql}"));
    }

    fn table(&self, name: &str) -> String {
        qualified_ident(self.dialect, name)
    }

    fn ident(&self, name: &str) -> String {
        let mut out = String::new();
        self.dialect.quote_ident(&mut out, name);
        out
    }
}

/// PostgreSQL and MySQL: every change in place.
fn server_statements(
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
        Change::CreateTable(t) => vec![render_create_table(dialect, t, false, |_| false)],
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
            match fill_value(dialect, new.table(table), column).filter(|_| fill) {
                Some(zero) => {
                    // Filled through a default that goes right after.
                    let mut filled = column.clone();
                    filled.default = Some(super::snapshot::PerDialect {
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
            }
        }
        Change::DropColumn { table, column } => vec![format!(
            "ALTER TABLE {} DROP COLUMN {}",
            w.table(table),
            w.ident(&column.name)
        )],
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

/// `UPDATE … SET col = default WHERE col IS NULL`, before a column with a
/// default stops accepting NULL.
fn null_to_default(w: &Writer, table: &str, column: &str, default: &str) -> String {
    let col = w.ident(column);
    format!(
        "UPDATE {} SET {col} = {default} WHERE {col} IS NULL",
        w.table(table)
    )
}

fn leads(columns: &[String], column: &str) -> bool {
    columns.first().is_some_and(|c| c == column)
}

/// MySQL refuses to drop the only index a foreign key can use. Such a drop
/// is made last, once the indexes that replace it exist (or together with
/// the index a fresh table would have for the key).
fn needed_by_foreign_key(
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

/// `(schema, name)` of a qualified table name.
fn split(qualified: &str) -> (Option<&str>, &str) {
    match qualified.split_once('.') {
        Some((schema, name)) => (Some(schema), name),
        None => (None, qualified),
    }
}

/// MySQL creates an index named after a foreign key when no index starts
/// with its column, and drops it on its own once one does. It outlives the
/// key, so it goes with it.
fn has_implicit_index(table: &TableSnapshot, fk: &ForeignKeySnapshot) -> bool {
    let leads = |columns: &[String]| columns.first().is_some_and(|c| *c == fk.column);
    !leads(&table.primary_key) && !table.indexes.iter().any(|i| leads(&i.columns))
}

fn alter_column_postgres(
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
    out
}

/// MySQL's `entable_live` column: added to a table before its first
/// `unique_live` index, dropped after its last one.
struct MarkerChanges {
    dialect: Dialect,
    adds: Vec<(String, String)>,
    drops: Vec<String>,
    dropped: bool,
    added: bool,
}

impl MarkerChanges {
    fn new(dialect: Dialect, current: &Snapshot, new: &Snapshot) -> MarkerChanges {
        let mut adds = Vec::new();
        let mut drops = Vec::new();
        for after in &new.tables {
            let name = after.qualified_name();
            let Some(before) = current.table(&name) else {
                continue;
            };
            match (
                live_marker_source(dialect, before),
                live_marker_source(dialect, after),
            ) {
                (None, Some(deleted_at)) => adds.push((name, deleted_at.to_owned())),
                (Some(_), None) => drops.push(name),
                // Computed from another column now: made again.
                (Some(a), Some(b)) if a != b => {
                    drops.push(name.clone());
                    adds.push((name, b.to_owned()));
                }
                _ => {}
            }
        }
        MarkerChanges {
            dialect,
            adds,
            drops,
            dropped: false,
            added: false,
        }
    }

    fn before(&mut self, out: &mut Writer, change: &Change) {
        let dropping = matches!(
            change,
            Change::RenameTable { .. }
                | Change::RenameColumn { .. }
                | Change::DropForeignKey { .. }
                | Change::DropIndex { .. }
        );
        if !dropping && !self.dropped {
            self.flush_drops(out);
        }
        if matches!(
            change,
            Change::AddIndex { .. } | Change::AddForeignKey { .. }
        ) && !self.added
        {
            self.flush_adds(out);
        }
    }

    fn finish(&mut self, out: &mut Writer) {
        self.flush_drops(out);
        self.flush_adds(out);
    }

    fn flush_drops(&mut self, out: &mut Writer) {
        self.dropped = true;
        for table in std::mem::take(&mut self.drops) {
            let sql = format!(
                "ALTER TABLE {} DROP COLUMN {}",
                out.table(&table),
                out.ident(LIVE_MARKER)
            );
            out.push(&format!("drop the live-row marker of {table}"), false, sql);
        }
    }

    fn flush_adds(&mut self, out: &mut Writer) {
        self.added = true;
        for (table, deleted_at) in std::mem::take(&mut self.adds) {
            let mut sql = format!("ALTER TABLE {} ADD COLUMN ", out.table(&table));
            push_live_marker(self.dialect, &mut sql, &deleted_at);
            out.push(&format!("add the live-row marker of {table}"), false, sql);
        }
    }
}

/// SQLite: renames, new and dropped tables, simple added columns and
/// indexes in place; every other change to a table by rebuilding it.
fn sqlite(
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
            | Change::DropIndex { .. } => true,
            Change::AddColumn { column, .. } => can_add_in_place(column),
            Change::AlterPrimaryKey { from, to, .. } => from.1 == to.1,
            // A new table declares its foreign keys inline.
            Change::AddForeignKey { .. } => current.table(&table).is_none(),
            // A dropped table takes its foreign keys with it.
            Change::DropForeignKey { .. } => new.table(&table).is_none(),
            Change::DropColumn { .. } | Change::AlterColumn { .. } => false,
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
            Change::DropColumn { .. } | Change::AlterColumn { .. } => Vec::new(),
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
fn can_add_in_place(column: &ColumnSnapshot) -> bool {
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
fn rebuild(
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
            match &column.default {
                // NULLs take the default of a column that no longer
                // accepts them.
                Some(default) if old.nullable && !column.nullable => sources.push(format!(
                    "COALESCE({}, {})",
                    out.ident(&column.name),
                    default.get(d)
                )),
                _ => sources.push(out.ident(&column.name)),
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

/// The zero value a NOT NULL column without default is filled with (see
/// [`script`]): 0, FALSE or the empty string by type; `None` for other
/// columns and for types without an obvious zero (keys, times, bytes).
fn fill_value(
    dialect: Dialect,
    table: Option<&TableSnapshot>,
    column: &ColumnSnapshot,
) -> Option<String> {
    if column.nullable || column.default.is_some() || column.auto_increment {
        return None;
    }
    // One zero in every row breaks a unique index or a foreign key.
    if table.is_some_and(|t| {
        t.indexes
            .iter()
            .any(|i| i.unique && i.columns.contains(&column.name))
            || t.foreign_keys.iter().any(|fk| fk.column == column.name)
            || t.primary_key.contains(&column.name)
    }) {
        return None;
    }
    let ty = column.sql_type.get(dialect).to_ascii_uppercase();
    if ty.starts_with("BOOL") {
        Some(dialect.rules().bool_literal(false).to_owned())
    } else if ["INT", "NUMERIC", "DECIMAL", "REAL", "DOUBLE", "FLOAT"]
        .iter()
        .any(|t| ty.contains(t))
    {
        Some("0".to_owned())
    } else if ["CHAR", "TEXT", "CLOB"].iter().any(|t| ty.contains(t)) {
        Some("''".to_owned())
    } else {
        None
    }
}
