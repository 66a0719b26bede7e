use super::{AutoIncrement, DialectRules, is_plain_default};

/// SQLite's rules.
pub(super) struct Sqlite;

/// The flags of every case-insensitive pattern: Unicode simple case folding
/// (`(?i)`), `.` matching newlines too (as `%` and `_` do).
const CASELESS: &str = "(?is)";

/// `c` matched literally in a regular expression.
fn push_regex_literal(out: &mut String, c: char) {
    // regex-syntax's meta characters; anything else is literal.
    if matches!(
        c,
        '\\' | '.'
            | '+'
            | '*'
            | '?'
            | '('
            | ')'
            | '|'
            | '['
            | ']'
            | '{'
            | '}'
            | '^'
            | '$'
            | '#'
            | '&'
            | '-'
            | '~'
    ) {
        out.push('\\');
    }
    out.push(c);
}

impl DialectRules for Sqlite {
    fn ident_quote(&self) -> char {
        '"'
    }

    fn auto_increment(&self) -> AutoIncrement {
        // AUTOINCREMENT keeps keys of deleted rows from being reused, which
        // is what PostgreSQL and MySQL do too.
        AutoIncrement::InlinePrimaryKey("INTEGER PRIMARY KEY AUTOINCREMENT")
    }

    fn can_add_foreign_key(&self) -> bool {
        false
    }

    fn drop_foreign_key(&self, _table: &str, _name: &str) -> Option<String> {
        None
    }

    fn default_expr(&self, expr: &str, _column_type: &str) -> String {
        if is_plain_default(expr) {
            expr.to_owned()
        } else {
            format!("({expr})")
        }
    }

    fn bool_literal(&self, value: bool) -> &'static str {
        if value { "1" } else { "0" }
    }

    fn bind_limit(&self) -> usize {
        32_766
    }

    fn text_match(&self, case_insensitive: bool) -> (&'static str, &'static str, &'static str) {
        // SQLite's LIKE ignores ASCII case only (`É` would miss `é`): the
        // case-insensitive match is a REGEXP (Rust's `regex`, registered on
        // every connection) with Unicode case folding; GLOB is the
        // case-sensitive one.
        if case_insensitive {
            ("{column}", " REGEXP ", "")
        } else {
            ("{column}", " GLOB ", "")
        }
    }

    fn match_pattern(
        &self,
        kind: crate::dto::LikeKind,
        text: &str,
        case_insensitive: bool,
    ) -> String {
        use crate::dto::LikeKind;
        if case_insensitive {
            let mut out = String::from(CASELESS);
            if kind == LikeKind::StartsWith {
                out.push_str("\\A");
            }
            for c in text.chars() {
                push_regex_literal(&mut out, c);
            }
            if kind == LikeKind::EndsWith {
                out.push_str("\\z");
            }
            return out;
        }
        let mut out = String::with_capacity(text.len() + 4);
        if matches!(kind, LikeKind::Contains | LikeKind::EndsWith) {
            out.push('*');
        }
        for c in text.chars() {
            push_glob_literal(&mut out, c);
        }
        if matches!(kind, LikeKind::Contains | LikeKind::StartsWith) {
            out.push('*');
        }
        out
    }

    fn like_to_dialect(&self, pattern: &str, case_insensitive: bool) -> String {
        if case_insensitive {
            // The same pattern as an anchored regular expression.
            let mut out = String::from(CASELESS);
            out.push_str("\\A");
            let mut chars = pattern.chars();
            while let Some(c) = chars.next() {
                match c {
                    '%' => out.push_str(".*"),
                    '_' => out.push('.'),
                    '\\' => push_regex_literal(&mut out, chars.next().unwrap_or('\\')),
                    c => push_regex_literal(&mut out, c),
                }
            }
            out.push_str("\\z");
            return out;
        }
        // The same pattern as a GLOB: wildcards translated, escaped
        // characters and GLOB's own wildcards made literal.
        let mut out = String::with_capacity(pattern.len() + 4);
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            match c {
                '%' => out.push('*'),
                '_' => out.push('?'),
                '\\' => match chars.next() {
                    Some(next) => push_glob_literal(&mut out, next),
                    None => push_glob_literal(&mut out, '\\'),
                },
                c => push_glob_literal(&mut out, c),
            }
        }
        out
    }

    fn order_term(&self, out: &mut String, column: &str, descending: bool, nullable: bool) {
        out.push_str(column);
        out.push_str(match (descending, nullable) {
            (true, true) => " DESC NULLS FIRST",
            (false, true) => " ASC NULLS LAST",
            (true, false) => " DESC",
            (false, false) => " ASC",
        });
    }

    fn violated_constraint(
        &self,
        message: &str,
        table: &crate::meta::TableMeta,
        writes_row: bool,
    ) -> Option<String> {
        // "CHECK constraint failed: ck_name" names the constraint (or, when
        // it has none, its expression).
        if let Some(name) = message.strip_prefix("CHECK constraint failed: ") {
            return Some(name.to_owned());
        }
        // "FOREIGN KEY constraint failed" names nothing. A row written to a
        // table with one foreign key can only break that one.
        if message.starts_with("FOREIGN KEY constraint failed") {
            return match (writes_row, table.foreign_keys) {
                (true, [only]) => Some(only.name.to_owned()),
                _ => None,
            };
        }
        // "UNIQUE constraint failed: user.email, user.tenant": columns only.
        let columns: Vec<&str> = message
            .split_once("constraint failed: ")?
            .1
            .split(", ")
            .map(|c| c.rsplit('.').next().unwrap_or(c))
            .collect();
        if columns == table.primary_key {
            return Some(table.primary_key_name.to_owned());
        }
        table
            .indexes
            .iter()
            .find(|i| i.unique && i.columns == columns.as_slice())
            .map(|i| i.name.to_owned())
    }

    fn error_kind(&self, kind: sqlx::error::ErrorKind, message: &str) -> sqlx::error::ErrorKind {
        // A `RESTRICT` action fails with SQLITE_CONSTRAINT_TRIGGER, which
        // sqlx leaves unclassified; the message is the foreign key one.
        if message.starts_with("FOREIGN KEY constraint failed") {
            sqlx::error::ErrorKind::ForeignKeyViolation
        } else {
            kind
        }
    }

    fn null_column(&self, message: &str) -> Option<String> {
        // "NOT NULL constraint failed: user.name".
        let column = message.split_once("NOT NULL constraint failed: ")?.1;
        Some(column.rsplit('.').next().unwrap_or(column).to_owned())
    }
}

/// `c`, matched literally by GLOB.
fn push_glob_literal(out: &mut String, c: char) {
    match c {
        '*' => out.push_str("[*]"),
        '?' => out.push_str("[?]"),
        '[' => out.push_str("[[]"),
        c => out.push(c),
    }
}
