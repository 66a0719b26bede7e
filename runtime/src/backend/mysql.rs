use super::{AutoIncrement, Dialect, DialectRules, is_plain_default};

/// MySQL's and MariaDB's rules.
pub(super) struct MySql;

impl DialectRules for MySql {
    fn partial_indexes(&self) -> bool {
        false
    }
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
        // InnoDB for foreign keys; a binary NO PAD collation so that text
        // compares exactly as on PostgreSQL and SQLite (the server default
        // is case-insensitive, and `utf8mb4_bin` ignores trailing spaces).
        // The two servers name it differently and each runs only its own
        // versioned comment: `/*M!` is MariaDB's (10.2.2+), and MariaDB
        // skips `/*!80000`, which MySQL 8 runs.
        " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /*M!100202 COLLATE=utf8mb4_nopad_bin */ /*!80000 COLLATE=utf8mb4_0900_bin */"
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

    fn text_match(&self, case_insensitive: bool) -> (&'static str, &'static str, &'static str) {
        // The tables' binary collation makes LIKE case-sensitive; LOWER on
        // both sides makes it not. The escape is written as CHAR(92): a
        // backslash literal means one thing with NO_BACKSLASH_ESCAPES in
        // sql_mode and another without.
        if case_insensitive {
            (
                "LOWER({column})",
                " LIKE LOWER(",
                ") ESCAPE CHAR(92 USING utf8mb4)",
            )
        } else {
            ("{column}", " LIKE ", " ESCAPE CHAR(92 USING utf8mb4)")
        }
    }

    fn order_term(&self, out: &mut String, column: &str, descending: bool, nullable: bool) {
        if !nullable {
            out.push_str(column);
            out.push_str(if descending { " DESC" } else { " ASC" });
            return;
        }
        // No NULLS FIRST/LAST: sort on IS NULL first.
        out.push_str(column);
        out.push_str(if descending {
            " IS NULL DESC, "
        } else {
            " IS NULL, "
        });
        out.push_str(column);
        out.push_str(if descending { " DESC" } else { " ASC" });
    }

    fn violated_constraint(
        &self,
        message: &str,
        table: &crate::meta::TableMeta,
        _writes_row: bool,
    ) -> Option<String> {
        // "Duplicate entry 'x' for key 'uq_user_email'" (MySQL 8 prefixes
        // the table: 'user.uq_user_email'); "… CONSTRAINT `fk_…` FOREIGN KEY …".
        if let Some(rest) = message.rsplit_once("for key '").map(|(_, r)| r) {
            let key = rest.trim_end_matches('\'');
            // Constraint names never hold a `.` (the derive refuses it).
            let key = key.rsplit('.').next().unwrap_or(key);
            // MySQL calls every primary key PRIMARY; report the name the
            // entity declares, as PostgreSQL does.
            if key == "PRIMARY" {
                return Some(table.primary_key_name.to_owned());
            }
            return Some(key.to_owned());
        }
        // MySQL 8: "Check constraint 'ck_x' is violated."
        if let Some(rest) = message.split_once("Check constraint '").map(|(_, r)| r) {
            return rest.split('\'').next().map(str::to_owned);
        }
        let rest = message.split_once("CONSTRAINT `")?.1;
        rest.split('`').next().map(str::to_owned)
    }

    fn null_column(&self, message: &str) -> Option<String> {
        // "Column 'name' cannot be null".
        let rest = message.split_once("Column '")?.1;
        rest.split('\'').next().map(str::to_owned)
    }
}

/// MySQL 8 accepts only expression defaults (in parentheses) on `TEXT`,
/// `BLOB` and `JSON` columns; MariaDB accepts both forms.
fn no_literal_default(column_type: &str) -> bool {
    column_type.ends_with("TEXT") || column_type.ends_with("BLOB") || column_type == "JSON"
}
