//! A column's SQL from its metadata: its type in a dialect (which depends
//! on the keys it is part of) and its default.

use crate::backend::{Dialect, SqlType, types::column_type};
use crate::meta::{ColumnMeta, DefaultValue, TableMeta};

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
