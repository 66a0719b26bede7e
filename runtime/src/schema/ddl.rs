//! `CREATE TABLE`, `CREATE INDEX` and `DROP TABLE` text for one table.
//!
//! Written once for every dialect: what differs is asked of
//! [`DialectRules`](crate::backend::DialectRules).

use crate::backend::{AutoIncrement, Dialect, SqlType, types::column_type};

use super::meta::{ColumnMeta, DefaultValue, ForeignKeyMeta, Generated, LIVE_MARKER, TableMeta};

/// `"schema"."table"` (or just `"table"`) quoted for `dialect`.
pub fn table_ident(dialect: Dialect, table: &TableMeta) -> String {
    let mut out = String::new();
    dialect.quote_table(&mut out, table.schema, table.name);
    out
}

/// `CREATE TABLE` for `table`. Foreign keys named in `deferred` are left
/// out, to be added by [`add_foreign_key`] once their target exists.
pub fn create_table(
    dialect: Dialect,
    table: &TableMeta,
    if_not_exists: bool,
    deferred: &[&ForeignKeyMeta],
) -> String {
    let rules = dialect.rules();
    let mut sql = String::from("CREATE TABLE ");
    if if_not_exists {
        sql.push_str("IF NOT EXISTS ");
    }
    sql.push_str(&table_ident(dialect, table));
    sql.push_str(" (");

    let mut pk_inline = false;
    let mut first = true;
    let mut item = |sql: &mut String| {
        sql.push_str(if first { "\n  " } else { ",\n  " });
        first = false;
    };
    for column in table.columns {
        item(&mut sql);
        dialect.quote_ident(&mut sql, column.name);
        sql.push(' ');
        if column.generated == Some(Generated::AutoIncrement) {
            match rules.auto_increment() {
                AutoIncrement::InlinePrimaryKey(decl) => {
                    sql.push_str(decl);
                    pk_inline = true;
                    continue;
                }
                AutoIncrement::Suffix(suffix) => {
                    sql.push_str(&column_type_in(dialect, table, column));
                    sql.push_str(" NOT NULL ");
                    sql.push_str(suffix);
                    continue;
                }
            }
        }
        let ty = column_type_in(dialect, table, column);
        sql.push_str(&ty);
        if !column.nullable {
            sql.push_str(" NOT NULL");
        }
        if let Some(default) = &column.default {
            sql.push_str(" DEFAULT ");
            push_default(dialect, &mut sql, default, &ty);
        }
    }
    if let (Some(deleted_at), false) = (table.deleted_at, rules.partial_indexes())
        && table.needs_live_marker()
    {
        item(&mut sql);
        dialect.quote_ident(&mut sql, LIVE_MARKER);
        sql.push_str(" TINYINT GENERATED ALWAYS AS (CASE WHEN ");
        dialect.quote_ident(&mut sql, deleted_at);
        sql.push_str(" IS NULL THEN 1 END) STORED");
    }
    if !pk_inline && !table.primary_key.is_empty() {
        item(&mut sql);
        sql.push_str("CONSTRAINT ");
        dialect.quote_ident(&mut sql, table.primary_key_name);
        sql.push_str(" PRIMARY KEY (");
        push_ident_list(dialect, &mut sql, table.primary_key);
        sql.push(')');
    }
    for fk in table.foreign_keys {
        if deferred.iter().any(|d| std::ptr::eq(*d, fk)) {
            continue;
        }
        item(&mut sql);
        push_foreign_key(dialect, &mut sql, fk);
    }
    sql.push_str("\n)");
    sql.push_str(rules.table_options());
    sql
}

/// `CREATE [UNIQUE] INDEX` statements for `table`, in declaration order.
pub fn create_indexes(dialect: Dialect, table: &TableMeta, if_not_exists: bool) -> Vec<String> {
    let target = table_ident(dialect, table);
    table
        .indexes
        .iter()
        .map(|index| {
            let mut sql = String::from(if index.unique {
                "CREATE UNIQUE INDEX "
            } else {
                "CREATE INDEX "
            });
            if if_not_exists {
                sql.push_str("IF NOT EXISTS ");
            }
            dialect.quote_ident(&mut sql, index.name);
            sql.push_str(" ON ");
            sql.push_str(&target);
            sql.push_str(" (");
            push_ident_list(dialect, &mut sql, index.columns);
            match table.deleted_at.filter(|_| index.live) {
                Some(deleted_at) if dialect.rules().partial_indexes() => {
                    sql.push_str(") WHERE ");
                    dialect.quote_ident(&mut sql, deleted_at);
                    sql.push_str(" IS NULL");
                }
                Some(_) => {
                    sql.push_str(", ");
                    dialect.quote_ident(&mut sql, LIVE_MARKER);
                    sql.push(')');
                }
                None => sql.push(')'),
            }
            sql
        })
        .collect()
}

/// `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY …`, for keys that close a
/// dependency cycle.
pub fn add_foreign_key(
    dialect: Dialect,
    table: &TableMeta,
    fk: &ForeignKeyMeta,
    if_not_exists: bool,
) -> String {
    let mut name = String::new();
    dialect.quote_ident(&mut name, fk.name);
    let mut definition = String::new();
    push_foreign_key_definition(dialect, &mut definition, fk);
    dialect.rules().add_foreign_key(
        &table_ident(dialect, table),
        &name,
        &definition,
        if_not_exists,
    )
}

/// `DROP TABLE IF EXISTS` for `table`.
pub fn drop_table(dialect: Dialect, table: &TableMeta) -> String {
    format!("DROP TABLE IF EXISTS {}", table_ident(dialect, table))
}

fn push_foreign_key(dialect: Dialect, sql: &mut String, fk: &ForeignKeyMeta) {
    sql.push_str("CONSTRAINT ");
    dialect.quote_ident(sql, fk.name);
    sql.push_str(" FOREIGN KEY ");
    push_foreign_key_definition(dialect, sql, fk);
}

/// `("col") REFERENCES "target" ("id") ON DELETE … ON UPDATE …`.
fn push_foreign_key_definition(dialect: Dialect, sql: &mut String, fk: &ForeignKeyMeta) {
    let target = fk.target();
    sql.push('(');
    dialect.quote_ident(sql, fk.column);
    sql.push_str(") REFERENCES ");
    sql.push_str(&table_ident(dialect, target));
    sql.push_str(" (");
    dialect.quote_ident(sql, fk.target_column());
    sql.push_str(") ON DELETE ");
    sql.push_str(fk.on_delete.sql());
    sql.push_str(" ON UPDATE ");
    sql.push_str(fk.on_update.sql());
}

fn push_ident_list(dialect: Dialect, sql: &mut String, idents: &[&str]) {
    for (i, ident) in idents.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        dialect.quote_ident(sql, ident);
    }
}

pub(crate) fn push_default(dialect: Dialect, sql: &mut String, default: &DefaultValue, ty: &str) {
    let rules = dialect.rules();
    let literal = match default {
        DefaultValue::Bool(b) => rules.bool_literal(*b).to_owned(),
        DefaultValue::Int(i) => i.to_string(),
        DefaultValue::Float(f) => (*f).to_owned(),
        DefaultValue::Text(s) => {
            let mut quoted = String::new();
            dialect.quote_str(&mut quoted, s);
            quoted
        }
        DefaultValue::Sql(expr) => {
            sql.push_str(&rules.default_expr(expr.get(dialect), ty));
            return;
        }
    };
    sql.push_str(&rules.default_literal(literal, ty));
}

/// The SQL type `column` of `table` is created with in `dialect`.
///
/// A foreign key column takes the type of the key it refers to (unless it
/// spells its own with `sql_type`): the Rust types are equal, but the
/// referenced key may carry a `sql_type` or `max_length` that the two
/// columns must share.
pub fn column_type_in(dialect: Dialect, table: &TableMeta, column: &ColumnMeta) -> String {
    let referenced = table
        .foreign_keys
        .iter()
        .find(|fk| fk.column == column.name)
        .filter(|_| !matches!(column.sql_type, SqlType::Custom(_)))
        .and_then(|fk| fk.target().column(fk.target_column()));
    let (source, in_key) = match referenced {
        Some(target) => (target, true),
        None => (
            column,
            table.is_key_column(column.name) || column.generated.is_some(),
        ),
    };
    column_type(dialect, source, in_key).into_owned()
}
