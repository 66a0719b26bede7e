//! One spelling for what servers report in many: type names, default
//! expressions and index conditions. Applied to both sides of a
//! comparison (what the server reports, what the entities declare), so two
//! spellings of the same thing compare equal.

use crate::backend::Dialect;

/// The canonical spelling of a column type in `dialect`: lower case, single
/// spaces, no space before `(` or around `,`, and aliases folded to one name
/// (`int4` and `integer`; `character varying(n)` and `varchar(n)`; MySQL's
/// `tinyint(1)` and `boolean`; display widths like `int(11)` dropped).
pub fn canonical_type(dialect: Dialect, raw: &str) -> String {
    let t = squeeze(&raw.to_ascii_lowercase());
    match dialect {
        Dialect::Postgres => postgres_type(&t),
        Dialect::MySql => mysql_type(&t),
        Dialect::Sqlite => t,
    }
}

/// Lower-case-insensitive whitespace: single spaces, none next to `(`, `)`
/// and `,`.
fn squeeze(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = words.join(" ");
    for (from, to) in [
        (" (", "("),
        ("( ", "("),
        (" )", ")"),
        (" ,", ","),
        (", ", ","),
    ] {
        while out.contains(from) {
            out = out.replace(from, to);
        }
    }
    out
}

/// `base(args)rest` split, for types with a length or precision.
fn split_args(t: &str) -> (&str, Option<&str>, &str) {
    match (t.find('('), t.find(')')) {
        (Some(open), Some(close)) if open < close => {
            (&t[..open], Some(&t[open + 1..close]), t[close + 1..].trim())
        }
        _ => (t, None, ""),
    }
}

fn join(base: &str, args: Option<&str>, rest: &str) -> String {
    let mut out = base.to_owned();
    if let Some(args) = args {
        out.push('(');
        out.push_str(args);
        out.push(')');
    }
    if !rest.is_empty() {
        out.push(' ');
        out.push_str(rest);
    }
    out
}

fn postgres_type(t: &str) -> String {
    let (base, args, rest) = split_args(t);
    // `timestamp(3) with time zone` keeps its precision between the words.
    let zoned = |rest: &str, with: &'static str, without: &'static str| match rest {
        "with time zone" => Some(with),
        "without time zone" | "" => Some(without),
        _ => None,
    };
    let folded = match base {
        "int" | "int4" | "integer" | "serial" | "serial4" => Some("integer"),
        "int2" | "smallint" | "smallserial" | "serial2" => Some("smallint"),
        "int8" | "bigint" | "bigserial" | "serial8" => Some("bigint"),
        "float4" | "real" => Some("real"),
        "float8" | "double precision" => Some("double precision"),
        "bool" | "boolean" => Some("boolean"),
        "character varying" | "varchar" => Some("varchar"),
        "character" | "char" | "bpchar" => Some("char"),
        "decimal" | "numeric" => Some("numeric"),
        "timestamptz" => Some("timestamptz"),
        "timetz" => Some("timetz"),
        "timestamp" => zoned(rest, "timestamptz", "timestamp"),
        "time" => zoned(rest, "timetz", "time"),
        "timestamp with time zone" => Some("timestamptz"),
        "timestamp without time zone" => Some("timestamp"),
        "time with time zone" => Some("timetz"),
        "time without time zone" => Some("time"),
        _ => None,
    };
    match folded {
        Some(name @ ("timestamptz" | "timestamp" | "timetz" | "time"))
            if matches!(base, "timestamp" | "time") =>
        {
            join(name, args, "")
        }
        Some(name) => join(name, args, rest),
        None => t.to_owned(),
    }
}

fn mysql_type(t: &str) -> String {
    if t == "tinyint(1)" || t == "bool" || t == "boolean" {
        return "boolean".to_owned();
    }
    let (base, args, rest) = split_args(t);
    let base = match base {
        "integer" => "int",
        "dec" | "numeric" | "fixed" => "decimal",
        "double precision" | "real" => "double",
        "character varying" => "varchar",
        // MariaDB stores JSON as LONGTEXT (with a JSON_VALID check) and
        // reports it so; MySQL reports `json`.
        "json" => "longtext",
        other => other,
    };
    // Display widths of integers (`int(11)`) mean nothing to the value.
    let args = match base {
        "tinyint" | "smallint" | "mediumint" | "int" | "bigint" => None,
        _ => args,
    };
    join(base, args, rest)
}

/// The canonical form of a default expression: `::type` casts removed
/// (PostgreSQL), outer parentheses removed (MySQL and SQLite wrap
/// expressions), a quoted number unquoted, string literals re-quoted with
/// doubled quotes, everything else lower case, and `now()`,
/// `current_timestamp()` and `current_timestamp(6)` all `current_timestamp`.
///
/// `backslash_escapes`: the text comes from MySQL, where `\'` and `\\`
/// are escapes inside a string literal.
pub fn canonical_default(text: &str, backslash_escapes: bool) -> String {
    let mut t = strip_parens(strip_casts(text.trim()).trim()).to_owned();
    if let Some(value) = string_literal(&t, backslash_escapes) {
        if value.parse::<f64>().is_ok() {
            return value;
        }
        return format!("'{}'", value.replace('\'', "''"));
    }
    t = t.to_ascii_lowercase();
    for niladic in ["current_timestamp", "current_date", "current_time", "now"] {
        if let Some(args) = t.strip_prefix(niladic).and_then(|r| r.strip_prefix('('))
            && args.ends_with(')')
            && args[..args.len() - 1].chars().all(|c| c.is_ascii_digit())
        {
            t = niladic.to_owned();
        }
    }
    if t == "now" {
        t = "current_timestamp".to_owned();
    }
    t
}

/// Removes PostgreSQL's `::type` casts outside string literals.
fn strip_casts(text: &str) -> String {
    const TYPE_WORDS: [&str; 6] = ["varying", "precision", "with", "without", "time", "zone"];
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    let mut quoted = false;
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if quoted || c != ':' || !text[i..].starts_with("::") {
            out.push(c);
            continue;
        }
        // Skip `::`, the type name (words like `character varying`), an
        // optional `(…)` and `[]`.
        let bytes = text.as_bytes();
        let mut end = i + 2;
        while end < bytes.len()
            && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'_' | b'"' | b'.'))
        {
            end += 1;
        }
        loop {
            let rest = &text[end..];
            let word = rest.trim_start();
            let next = TYPE_WORDS.iter().find(|w| {
                word.starts_with(**w)
                    && !word[w.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            });
            match next {
                Some(w) if rest.starts_with(' ') => end += rest.len() - word.len() + w.len(),
                _ => break,
            }
        }
        if text[end..].starts_with('(')
            && let Some(close) = text[end..].find(')')
        {
            end += close + 1;
        }
        while text[end..].starts_with("[]") {
            end += 2;
        }
        while chars.peek().is_some_and(|(j, _)| *j < end) {
            chars.next();
        }
    }
    out
}

/// `(x)` → `x`, repeatedly, when the parentheses enclose the whole text.
fn strip_parens(mut t: &str) -> &str {
    while t.starts_with('(') && t.ends_with(')') && encloses(t) {
        t = t[1..t.len() - 1].trim();
    }
    t
}

/// Whether the `(` at the start closes at the very end.
fn encloses(t: &str) -> bool {
    let mut depth = 0usize;
    let mut quoted = false;
    for (i, c) in t.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i == t.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// The value of `t` when it is exactly one string literal.
fn string_literal(t: &str, backslash_escapes: bool) -> Option<String> {
    let inner = t.strip_prefix('\'')?;
    let mut value = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if backslash_escapes => value.push(match chars.next()? {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '0' => '\0',
                other => other,
            }),
            '\'' => match chars.next() {
                Some('\'') => value.push('\''),
                None => return Some(value),
                Some(_) => return None,
            },
            other => value.push(other),
        }
    }
    None
}

/// The canonical form of an index condition (`WHERE …` of a partial index):
/// identifier quotes and outer parentheses removed, lower case, single
/// spaces.
pub fn canonical_condition(text: &str) -> String {
    let unquoted: String = text.chars().filter(|c| !matches!(c, '"' | '`')).collect();
    squeeze(&strip_parens(unquoted.trim()).to_ascii_lowercase())
}

/// The condition a MySQL `entable_live` marker stands for, from its
/// generation expression (`case when deleted_at is null then 1 end`).
pub fn marker_condition(generation: &str) -> String {
    let expr = canonical_condition(generation);
    expr.strip_prefix("case when ")
        .and_then(|r| r.strip_suffix(" then 1 end"))
        .map_or(expr.clone(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_fold_aliases() {
        let pg = |t| canonical_type(Dialect::Postgres, t);
        assert_eq!(pg("INT4"), "integer");
        assert_eq!(pg("integer"), "integer");
        assert_eq!(pg("character varying(255)"), "varchar(255)");
        assert_eq!(pg("VARCHAR( 255 )"), "varchar(255)");
        assert_eq!(pg("timestamp with time zone"), "timestamptz");
        assert_eq!(pg("TIMESTAMPTZ"), "timestamptz");
        assert_eq!(pg("timestamp(3) with time zone"), "timestamptz(3)");
        assert_eq!(pg("time without time zone"), "time");
        assert_eq!(pg("numeric(10, 2)"), "numeric(10,2)");
        assert_eq!(pg("DECIMAL(10,2)"), "numeric(10,2)");
        assert_eq!(pg("jsonb"), "jsonb");
        let my = |t| canonical_type(Dialect::MySql, t);
        assert_eq!(my("tinyint(1)"), "boolean");
        assert_eq!(my("BOOLEAN"), "boolean");
        assert_eq!(my("int(11)"), "int");
        assert_eq!(my("bigint(20) unsigned"), "bigint unsigned");
        assert_eq!(my("JSON"), "longtext");
        assert_eq!(my("varchar(255)"), "varchar(255)");
        assert_eq!(my("DATETIME(6)"), "datetime(6)");
        assert_eq!(
            canonical_type(Dialect::Sqlite, "VARCHAR (20)"),
            "varchar(20)"
        );
    }

    #[test]
    fn defaults_fold_server_spellings() {
        assert_eq!(canonical_default("'x'::text", false), "'x'");
        assert_eq!(
            canonical_default("'a b'::character varying", false),
            "'a b'"
        );
        assert_eq!(canonical_default("'-1'::integer", false), "-1");
        assert_eq!(canonical_default("'{}'::jsonb", false), "'{}'");
        assert_eq!(canonical_default("(0)::numeric", false), "0");
        assert_eq!(canonical_default("TRUE", false), "true");
        assert_eq!(canonical_default("now()", false), "current_timestamp");
        assert_eq!(
            canonical_default("current_timestamp(6)", true),
            "current_timestamp"
        );
        assert_eq!(
            canonical_default("CURRENT_TIMESTAMP", false),
            "current_timestamp"
        );
        assert_eq!(canonical_default("('x')", true), "'x'");
        assert_eq!(canonical_default(r"'it\'s'", true), "'it''s'");
        assert_eq!(canonical_default("'it''s'", false), "'it''s'");
        assert_eq!(canonical_default("(1 + 2)", false), "1 + 2");
        assert_eq!(canonical_default("(a) + (b)", false), "(a) + (b)");
        assert_eq!(
            canonical_default("'2020-01-01 00:00:00'::timestamp without time zone", false),
            "'2020-01-01 00:00:00'"
        );
    }

    #[test]
    fn conditions_fold_quotes_and_parens() {
        assert_eq!(
            canonical_condition(r#"("deleted_at" IS NULL)"#),
            "deleted_at is null"
        );
        assert_eq!(
            marker_condition("case when `deleted_at` is null then 1 end"),
            "deleted_at is null"
        );
    }
}
