use super::{AutoIncrement, DialectRules, is_plain_default};

/// SQLite's rules.
pub(super) struct Sqlite;

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
}
