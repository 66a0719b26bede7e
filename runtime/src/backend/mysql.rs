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
        let mut sql = String::from("ALTER TABLE ");
        sql.push_str(table);
        sql.push_str(" DROP FOREIGN KEY ");
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

    fn default_expr(&self, expr: &str) -> String {
        if is_plain_default(expr) {
            expr.to_owned()
        } else {
            format!("({expr})")
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
