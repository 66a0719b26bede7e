use super::{AutoIncrement, Dialect, DialectRules, is_plain_default};

/// MySQL's and MariaDB's rules.
pub(super) struct MySql;

impl DialectRules for MySql {
    fn ident_quote(&self) -> char {
        '`'
    }

    fn backslash_escapes(&self) -> bool {
        // The server default; with NO_BACKSLASH_ESCAPES set, a default
        // containing `\` would be stored doubled (documented).
        true
    }

    fn auto_increment(&self) -> AutoIncrement {
        AutoIncrement::Suffix("AUTO_INCREMENT")
    }

    fn table_options(&self) -> &'static str {
        // InnoDB for foreign keys; a binary collation so that text compares
        // exactly as on PostgreSQL and SQLite (the server default is
        // case-insensitive).
        " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
    }

    fn drop_foreign_key(&self, table: &str, name: &str) -> Option<String> {
        // The IF EXISTS forms are MariaDB's; MySQL has neither.
        let mut sql = String::from("ALTER TABLE IF EXISTS ");
        sql.push_str(table);
        sql.push_str(" DROP FOREIGN KEY IF EXISTS ");
        Dialect::MySql.quote_ident(&mut sql, name);
        Some(sql)
    }

    fn add_foreign_key(
        &self,
        table: &str,
        name: &str,
        definition: &str,
        if_not_exists: bool,
    ) -> String {
        // `FOREIGN KEY IF NOT EXISTS` is MariaDB's; MySQL has no such form.
        let guard = if if_not_exists { "IF NOT EXISTS " } else { "" };
        format!("ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY {guard}{definition}")
    }

    fn default_expr(&self, expr: &str, column_type: &str) -> String {
        let trimmed = expr.trim();
        // MySQL wants CURRENT_TIMESTAMP with the column's own precision.
        if column_type.ends_with("(6)")
            && matches!(
                trimmed.to_ascii_uppercase().as_str(),
                "CURRENT_TIMESTAMP" | "CURRENT_TIMESTAMP()" | "NOW()"
            )
        {
            return "CURRENT_TIMESTAMP(6)".to_owned();
        }
        let parenthesised = trimmed.starts_with('(');
        if is_plain_default(expr) && (parenthesised || !no_literal_default(column_type)) {
            expr.to_owned()
        } else {
            format!("({expr})")
        }
    }

    fn default_literal(&self, literal: String, column_type: &str) -> String {
        if no_literal_default(column_type) {
            format!("({literal})")
        } else {
            literal
        }
    }

    fn bool_literal(&self, value: bool) -> &'static str {
        // BOOLEAN is TINYINT(1): the server reports the default as 1/0.
        if value { "1" } else { "0" }
    }

    fn bind_limit(&self) -> usize {
        65_535
    }
}

/// MySQL 8 accepts only expression defaults (in parentheses) on `TEXT`,
/// `BLOB` and `JSON` columns; MariaDB accepts both forms.
fn no_literal_default(column_type: &str) -> bool {
    column_type.ends_with("TEXT") || column_type.ends_with("BLOB") || column_type == "JSON"
}
