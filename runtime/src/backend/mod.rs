//! The only place that knows PostgreSQL from MySQL/MariaDB from SQLite.
//!
//! Everything the rest of the crate renders goes through a [`Dialect`]: how
//! identifiers and string literals are quoted, which SQL type a Rust type
//! becomes ([`types`]), how an auto-increment key is declared, which table
//! options a dialect needs. Each dialect's rules live in one file
//! (`postgres.rs`, `mysql.rs`, `sqlite.rs`) implementing [`DialectRules`].
//!
//! Adding a dialect means: one more variant here, one more `DialectRules`
//! implementation, one more column in the type table of [`types`], and a
//! driver in [`crate::Db`]. Generated code never changes: it only holds
//! dialect-neutral metadata.

mod mysql;
mod postgres;
mod sqlite;
pub mod types;
pub mod values;

use std::fmt;

pub use types::{CustomSqlType, FieldType, SqlType};

/// A SQL dialect entable can render for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// PostgreSQL 12 or later.
    Postgres,
    /// MySQL 8 or MariaDB 10.5 or later.
    MySql,
    /// SQLite 3.35 or later.
    Sqlite,
}

impl Dialect {
    /// Every dialect, in a fixed order.
    pub const ALL: [Dialect; 3] = [Dialect::Postgres, Dialect::MySql, Dialect::Sqlite];

    /// The lower-case name used in file names and on the command line:
    /// `postgres`, `mysql` or `sqlite`.
    pub const fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::MySql => "mysql",
            Dialect::Sqlite => "sqlite",
        }
    }

    /// Parses a dialect name as printed by [`Dialect::name`]; `postgresql`,
    /// `pg` and `mariadb` are accepted as well.
    pub fn from_name(name: &str) -> Option<Dialect> {
        match name.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" | "pg" => Some(Dialect::Postgres),
            "mysql" | "mariadb" => Some(Dialect::MySql),
            "sqlite" => Some(Dialect::Sqlite),
            _ => None,
        }
    }

    /// The dialect a connection URL speaks, from its scheme.
    ///
    /// ```
    /// use entable::backend::Dialect;
    /// assert_eq!(Dialect::from_url("postgres://localhost/app"), Some(Dialect::Postgres));
    /// assert_eq!(Dialect::from_url("mariadb://root@localhost/app"), Some(Dialect::MySql));
    /// assert_eq!(Dialect::from_url("sqlite::memory:"), Some(Dialect::Sqlite));
    /// assert_eq!(Dialect::from_url("oracle://x"), None);
    /// ```
    pub fn from_url(url: &str) -> Option<Dialect> {
        let scheme = url.split(':').next()?;
        Dialect::from_name(scheme)
    }

    /// The rules of this dialect.
    pub fn rules(self) -> &'static dyn DialectRules {
        match self {
            Dialect::Postgres => &postgres::Postgres,
            Dialect::MySql => &mysql::MySql,
            Dialect::Sqlite => &sqlite::Sqlite,
        }
    }

    /// Appends `ident` quoted for this dialect: `"order"` on PostgreSQL and
    /// SQLite, `` `order` `` on MySQL. Identifiers reaching this point were
    /// validated at compile time; the quote character is still doubled so
    /// the output is correct for any input.
    pub fn quote_ident(self, out: &mut String, ident: &str) {
        let q = self.rules().ident_quote();
        out.push(q);
        for c in ident.chars() {
            if c == q {
                out.push(q);
            }
            out.push(c);
        }
        out.push(q);
    }

    /// Appends a possibly schema-qualified table name. The schema is only
    /// rendered where the dialect has schemas (PostgreSQL).
    pub fn quote_table(self, out: &mut String, schema: Option<&str>, table: &str) {
        if let Some(schema) = schema.filter(|_| self.rules().supports_schemas()) {
            self.quote_ident(out, schema);
            out.push('.');
        }
        self.quote_ident(out, table);
    }

    /// Appends `value` as a SQL string literal. Only used for compile-time
    /// constants (column defaults); run-time values are always bound.
    pub fn quote_str(self, out: &mut String, value: &str) {
        let escape_backslash = self.rules().backslash_escapes();
        out.push('\'');
        for c in value.chars() {
            match c {
                '\'' => out.push_str("''"),
                '\\' if escape_backslash => out.push_str("\\\\"),
                c => out.push(c),
            }
        }
        out.push('\'');
    }

    /// The most bind parameters one statement may carry.
    pub fn bind_limit(self) -> usize {
        self.rules().bind_limit()
    }

    /// Appends the placeholder of the `n`-th bound value (from 1): `$n` on
    /// PostgreSQL, `?` elsewhere.
    pub fn placeholder(self, out: &mut String, n: usize) {
        match self {
            Dialect::Postgres => {
                out.push('$');
                out.push_str(&n.to_string());
            }
            Dialect::MySql | Dialect::Sqlite => out.push('?'),
        }
    }

    /// Whether `INSERT`/`UPDATE … RETURNING` is used (PostgreSQL, SQLite).
    /// MySQL has none (MariaDB's is not in MySQL), so rows are read back by
    /// key there.
    pub fn has_returning(self) -> bool {
        !matches!(self, Dialect::MySql)
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How an auto-increment primary key column is declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoIncrement {
    /// A suffix after the column type (`GENERATED BY DEFAULT AS IDENTITY`,
    /// `AUTO_INCREMENT`); the key stays in the table's `PRIMARY KEY` clause.
    Suffix(&'static str),
    /// The whole column definition is fixed (SQLite's
    /// `INTEGER PRIMARY KEY AUTOINCREMENT`) and the table gets no separate
    /// `PRIMARY KEY` clause.
    InlinePrimaryKey(&'static str),
}

/// What differs between dialects when rendering SQL text.
///
/// One implementation per dialect, in this module's files. The DDL
/// renderer (`schema::ddl`) and every later statement builder ask these
/// questions instead of matching on [`Dialect`] themselves.
pub trait DialectRules: Send + Sync + 'static {
    /// The character that quotes identifiers.
    fn ident_quote(&self) -> char;
    /// Whether `\` is an escape character inside string literals.
    fn backslash_escapes(&self) -> bool {
        false
    }
    /// Whether tables live in named schemas (`"schema"."table"`).
    fn supports_schemas(&self) -> bool {
        false
    }
    /// How an auto-increment key column is declared.
    fn auto_increment(&self) -> AutoIncrement;
    /// Options appended after the closing parenthesis of `CREATE TABLE`.
    fn table_options(&self) -> &'static str {
        ""
    }
    /// Whether `CREATE UNIQUE INDEX … WHERE …` exists (PostgreSQL,
    /// SQLite). Where it does not (MySQL), `unique_live` indexes end with a
    /// generated column instead (see [`crate::schema::LIVE_MARKER`]).
    fn partial_indexes(&self) -> bool {
        true
    }
    /// Whether a foreign key can be added to an existing table with
    /// `ALTER TABLE … ADD CONSTRAINT` (used to close dependency cycles).
    /// Where it cannot (SQLite), foreign keys are always declared inline:
    /// SQLite checks them only when rows change, so creation order does not
    /// matter there.
    fn can_add_foreign_key(&self) -> bool {
        true
    }
    /// `ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY {definition}`,
    /// where `definition` is `("col") REFERENCES … ON UPDATE …`; with
    /// `if_not_exists`, a form that does nothing when the constraint exists.
    fn add_foreign_key(
        &self,
        table: &str,
        name: &str,
        definition: &str,
        if_not_exists: bool,
    ) -> String {
        let _ = if_not_exists;
        format!("ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY {definition}")
    }
    /// The statement that drops a foreign key constraint, if any.
    fn drop_foreign_key(&self, table: &str, name: &str) -> Option<String>;
    /// Renders a SQL default expression given by the user for a column of
    /// type `column_type`. Some dialects need parentheses around anything
    /// that is not a plain literal.
    fn default_expr(&self, expr: &str, column_type: &str) -> String {
        let _ = column_type;
        expr.to_owned()
    }
    /// Renders a literal default (already quoted) for a column of type
    /// `column_type`.
    fn default_literal(&self, literal: String, column_type: &str) -> String {
        let _ = column_type;
        literal
    }
    /// How a boolean literal is written in a column default.
    fn bool_literal(&self, value: bool) -> &'static str {
        if value { "TRUE" } else { "FALSE" }
    }
    /// The most bind parameters one statement may carry.
    fn bind_limit(&self) -> usize;
    /// The constraint named by a violation message, for backends whose
    /// errors carry no constraint field (MySQL names it in the text, SQLite
    /// names only the columns, matched here against `table`'s constraints).
    /// `writes_row` is true when the statement inserted or updated a row of
    /// `table` (so only its own foreign keys can be broken), false when it
    /// deleted one.
    fn violated_constraint(
        &self,
        message: &str,
        table: &crate::schema::TableMeta,
        writes_row: bool,
    ) -> Option<String> {
        let _ = (message, table, writes_row);
        None
    }
    /// How a text match on `{column}` is written: the text before the
    /// operator (with `{column}` to be replaced), the operator up to the
    /// bound pattern, and what follows the pattern.
    fn text_match(&self, case_insensitive: bool) -> (&'static str, &'static str, &'static str) {
        if case_insensitive {
            ("LOWER({column})", " LIKE LOWER(", ") ESCAPE '\\'")
        } else {
            ("{column}", " LIKE ", " ESCAPE '\\'")
        }
    }
    /// The bound pattern of a text match: the user's text with every
    /// wildcard of the dialect's operator escaped.
    fn match_pattern(
        &self,
        kind: crate::dto::LikeKind,
        text: &str,
        case_insensitive: bool,
    ) -> String {
        let _ = case_insensitive;
        crate::dto::like_pattern(kind, text)
    }
    /// A caller's `LIKE` pattern (`%`, `_`, `\` escapes) in the form the
    /// dialect's case-sensitive or -insensitive match takes.
    fn like_to_dialect(&self, pattern: &str, case_insensitive: bool) -> String {
        let _ = case_insensitive;
        pattern.to_owned()
    }
    /// One `ORDER BY` term; NULLs last ascending, first descending.
    /// `nullable` is false for NOT NULL columns, which need no NULL
    /// placement (and, left plain, can be sorted by an index).
    fn order_term(&self, out: &mut String, column: &str, descending: bool, nullable: bool) {
        let _ = nullable;
        out.push_str(column);
        out.push_str(if descending { " DESC" } else { " ASC" });
    }
    /// The kind of a database error, where the driver's classification
    /// misses one the dialect reports in another way.
    fn error_kind(&self, kind: sqlx::error::ErrorKind, message: &str) -> sqlx::error::ErrorKind {
        let _ = message;
        kind
    }
    /// The column named by a NOT NULL violation message.
    fn null_column(&self, message: &str) -> Option<String> {
        let _ = message;
        None
    }
}

/// True when `expr` is a literal or a niladic keyword that every dialect
/// accepts after `DEFAULT` without parentheses, or is already one
/// parenthesised expression.
pub(crate) fn is_plain_default(expr: &str) -> bool {
    let e = expr.trim();
    let upper = e.to_ascii_uppercase();
    matches!(
        upper.as_str(),
        "CURRENT_TIMESTAMP" | "CURRENT_DATE" | "CURRENT_TIME" | "NULL" | "TRUE" | "FALSE"
    ) || e.parse::<f64>().is_ok_and(f64::is_finite) && !e.chars().any(char::is_alphabetic)
        || is_one_string_literal(e)
        || is_one_parenthesised(e)
}

/// `'…'` with only doubled quotes inside.
fn is_one_string_literal(e: &str) -> bool {
    let Some(inner) = e.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) else {
        return false;
    };
    !inner.replace("''", "").contains('\'')
}

/// `( … )` where the first parenthesis closes at the very end.
fn is_one_parenthesised(e: &str) -> bool {
    if !e.starts_with('(') {
        return false;
    }
    let mut depth = 0usize;
    let mut in_string = false;
    for (i, c) in e.char_indices() {
        match c {
            '\'' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i == e.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::is_plain_default;

    #[test]
    fn plain_defaults() {
        for plain in [
            "CURRENT_TIMESTAMP",
            "current_date",
            "0",
            "-1.5",
            "'a''b'",
            "(1 + 2)",
            "((a) + (b))",
        ] {
            assert!(is_plain_default(plain), "{plain}");
        }
        for not_plain in [
            "now()",
            "(a) + (b)",
            "'a' || 'b'",
            "NaN",
            "inf",
            "1e999",
            "gen_random_uuid()",
        ] {
            assert!(!is_plain_default(not_plain), "{not_plain}");
        }
    }
}
