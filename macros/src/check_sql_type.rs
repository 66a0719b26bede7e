//! `sql_type` against the field's Rust type: a numeric SQL type that cannot
//! hold (or, on PostgreSQL, decode into) the field's type is a compile
//! error, since the write would commit and the read back fail. Types this
//! does not recognise (custom types, newtypes, `NUMERIC`) are left alone.

use crate::ctxt::Ctxt;
use crate::model::Field;

/// A Rust type this check knows, with its rank among the integers or
/// floats (a wider type has a higher rank).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Num {
    Int(u8),
    Float(u8),
    Bool,
}

fn rust_type(name: &str) -> Option<Num> {
    Some(match name {
        "i16" => Num::Int(16),
        "i32" => Num::Int(32),
        "i64" => Num::Int(64),
        "f32" => Num::Float(32),
        "f64" => Num::Float(64),
        "bool" => Num::Bool,
        _ => return None,
    })
}

/// The Rust type a PostgreSQL type decodes into (exactly: sqlx refuses
/// any other width).
fn postgres(sql: &str) -> Option<Num> {
    Some(match sql {
        "SMALLINT" | "INT2" | "SMALLSERIAL" => Num::Int(16),
        "INTEGER" | "INT" | "INT4" | "SERIAL" => Num::Int(32),
        "BIGINT" | "INT8" | "BIGSERIAL" => Num::Int(64),
        "REAL" | "FLOAT4" => Num::Float(32),
        "DOUBLE PRECISION" | "FLOAT8" | "FLOAT" => Num::Float(64),
        "BOOLEAN" | "BOOL" => Num::Bool,
        _ => return None,
    })
}

/// The widest Rust type a MySQL type holds (signed; `UNSIGNED` types are
/// not recognised).
fn mysql(sql: &str) -> Option<Num> {
    // `INT(11)`: a display width, not a size.
    let base = sql.split('(').next().unwrap_or(sql).trim();
    Some(match base {
        "SMALLINT" => Num::Int(16),
        "MEDIUMINT" | "INT" | "INTEGER" => Num::Int(32),
        "BIGINT" => Num::Int(64),
        "FLOAT" => Num::Float(32),
        "DOUBLE" | "DOUBLE PRECISION" | "REAL" => Num::Float(64),
        _ => return None,
    })
}

fn spelled(num: Num, postgres: bool) -> (&'static str, &'static str) {
    match (num, postgres) {
        (Num::Int(16), _) => ("i16", "SMALLINT"),
        (Num::Int(32), true) => ("i32", "INTEGER"),
        (Num::Int(32), false) => ("i32", "INT"),
        (Num::Int(_), _) => ("i64", "BIGINT"),
        (Num::Float(32), true) => ("f32", "REAL"),
        (Num::Float(32), false) => ("f32", "FLOAT"),
        (Num::Float(_), true) => ("f64", "DOUBLE PRECISION"),
        (Num::Float(_), false) => ("f64", "DOUBLE"),
        (Num::Bool, _) => ("bool", "BOOLEAN"),
    }
}

fn normalise(sql: &str) -> String {
    sql.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase()
}

pub(crate) fn check(field: &Field, cx: &Ctxt) {
    let Some(sql_type) = &field.sql_type else {
        return;
    };
    let Some(rust) = rust_type(field.value_ty.to_string().trim()) else {
        return;
    };
    let pg = normalise(&sql_type.value.postgres);
    if let Some(holds) = postgres(&pg).filter(|holds| *holds != rust) {
        let (held, _) = spelled(holds, true);
        let (name, wanted) = spelled(rust, true);
        cx.error_at(
            sql_type.span,
            format!("`sql_type` `{pg}` holds an `{held}` on PostgreSQL, not this field's `{name}`: declare the field `{held}`, or write `sql_type = \"{wanted}\"`"),
        );
        return;
    }
    let my = normalise(&sql_type.value.mysql);
    let narrower = match (mysql(&my), rust) {
        (Some(Num::Int(a)), Num::Int(b)) | (Some(Num::Float(a)), Num::Float(b)) => a < b,
        (Some(Num::Int(_)), Num::Float(_)) | (Some(Num::Float(_)), Num::Int(_)) => true,
        _ => false,
    };
    if narrower && let Some(holds) = mysql(&my) {
        let (held, _) = spelled(holds, false);
        let (name, wanted) = spelled(rust, false);
        cx.error_at(
            sql_type.span,
            format!("`sql_type` `{my}` holds at most an `{held}` on MySQL, not this field's `{name}`: declare the field `{held}`, or write `{wanted}` for MySQL"),
        );
    }
}
