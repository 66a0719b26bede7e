//! Expressions → `WHERE …` and `ORDER BY …`, every value bound. Identifiers
//! come only from entity metadata (column handles, sort keys and relations
//! are generated, never parsed into SQL), values only as placeholders.

use crate::backend::Dialect;
use crate::driver::{Args, Backend, ColumnValue, bind};
use crate::dto::{Condition, SortKey, SortList};
use crate::meta::TableMeta;
use crate::schema::ddl::table_ident;

/// Collects the text of a condition and its bound values.
pub struct WhereWriter<'a, B: Backend> {
    dialect: Dialect,
    sql: String,
    args: &'a mut Args<B>,
    bound: usize,
    /// Tables of enclosing subqueries and their aliases, innermost last.
    aliases: Vec<(&'static TableMeta, String)>,
    error: Option<sqlx::error::BoxDynError>,
}

impl<'a, B: Backend> WhereWriter<'a, B> {
    pub(crate) fn new(args: &'a mut Args<B>, bound: usize) -> Self {
        WhereWriter {
            dialect: B::DIALECT,
            sql: String::new(),
            args,
            bound,
            aliases: Vec::new(),
            error: None,
        }
    }

    /// The text and how many values are bound in all.
    pub(crate) fn finish(self) -> Result<(String, usize), sqlx::error::BoxDynError> {
        match self.error {
            Some(error) => Err(error),
            None => Ok((self.sql, self.bound)),
        }
    }

    pub(crate) fn push(&mut self, text: &str) {
        self.sql.push_str(text);
    }

    /// `"schema"."table"` (and ` AS t1` inside a subquery, see [`Self::enter`]).
    pub(crate) fn table(&mut self, table: &'static TableMeta) {
        self.sql.push_str(&table_ident(self.dialect, table));
    }

    /// Opens a subquery over `table`: its columns are written through an
    /// alias, so a table nested in itself (a self-reference) is unambiguous.
    pub(crate) fn enter(&mut self, table: &'static TableMeta) {
        // Quoted and prefixed: a bare `t1` would capture a table of
        // that name referenced from inside the subquery.
        let mut alias = String::new();
        self.dialect.quote_ident(
            &mut alias,
            &format!("__entable_s{}", self.aliases.len() + 1),
        );
        self.sql.push_str(" AS ");
        self.sql.push_str(&alias);
        self.aliases.push((table, alias));
    }

    pub(crate) fn leave(&mut self) {
        self.aliases.pop();
    }

    /// The qualified name of `column` of `table` in the current scope.
    pub(crate) fn column_sql(&self, table: &'static TableMeta, column: &str) -> String {
        let mut out = match self
            .aliases
            .iter()
            .rev()
            .find(|(t, _)| std::ptr::eq(*t, table))
        {
            Some((_, alias)) => alias.clone(),
            None => table_ident(self.dialect, table),
        };
        out.push('.');
        self.dialect.quote_ident(&mut out, column);
        out
    }

    pub(crate) fn column(&mut self, table: &'static TableMeta, column: &str) {
        let sql = self.column_sql(table, column);
        self.sql.push_str(&sql);
    }

    /// What follows a soft-delete column for its rows to be live (`live`)
    /// or deleted.
    pub(crate) fn live_condition(&mut self, kind: crate::meta::SoftDeleteKind, live: bool) {
        kind.push_condition(self.dialect, &mut self.sql, live);
    }

    fn value<T: ColumnValue<B>>(&mut self, value: &T) {
        if let Err(error) = bind::<B, T>(self.args, value) {
            self.error.get_or_insert(error);
        }
        self.placeholder();
    }

    /// `column = ANY(?)` (`<> ALL` when `negated`) with `values` bound as
    /// one array, where the driver has arrays of their type; false (and
    /// nothing written) where it does not.
    fn array<T: ColumnValue<B>>(
        &mut self,
        table: &'static TableMeta,
        column: &str,
        values: &Vec<T>,
        negated: bool,
    ) -> bool {
        if let Some(invalid) = values
            .iter()
            .find_map(|v| crate::backend::values::check(self.dialect, v).err())
        {
            self.error.get_or_insert(Box::new(invalid));
            return true;
        }
        match B::bind_array(self.args, values) {
            None => false,
            Some(bound) => {
                if let Err(error) = bound {
                    self.error.get_or_insert(error);
                }
                self.column(table, column);
                self.sql
                    .push_str(if negated { " <> ALL(" } else { " = ANY(" });
                self.placeholder();
                self.sql.push(')');
                true
            }
        }
    }

    fn text(&mut self, text: String) {
        if let Err(error) = B::bind_text(self.args, text) {
            self.error.get_or_insert(error);
        }
        self.placeholder();
    }

    fn placeholder(&mut self) {
        self.bound += 1;
        self.dialect.placeholder(&mut self.sql, self.bound);
    }

    /// Records why a value is refused (text with NUL, NaN, a pattern over
    /// the cap): [`finish`](Self::finish) then fails with that
    /// [`QueryError`](crate::dto::QueryError), before any SQL is sent, the
    /// same on every backend.
    fn refuse(&mut self, problem: Option<(crate::dto::QueryErrorKind, String)>) -> bool {
        match problem {
            Some(problem) => {
                self.error
                    .get_or_insert_with(|| Box::new(crate::dto::to_error(problem)));
                true
            }
            None => false,
        }
    }

    /// A raw `LIKE` pattern (the caller's wildcards kept) on `column`.
    pub(crate) fn like(
        &mut self,
        table: &'static TableMeta,
        column: &str,
        pattern: &str,
        case_insensitive: bool,
    ) {
        if self.refuse(crate::dto::pattern_problem(pattern)) {
            return;
        }
        let rules = self.dialect.rules();
        let column_sql = self.column_sql(table, column);
        let (before, operator, after) = rules.text_match(case_insensitive);
        self.sql.push_str(&before.replace("{column}", &column_sql));
        self.sql.push_str(operator);
        self.text(rules.like_to_dialect(pattern, case_insensitive));
        self.sql.push_str(after);
    }

    /// One condition on `column` of `table`.
    pub fn condition<T: ColumnValue<B> + 'static>(
        &mut self,
        table: &'static TableMeta,
        column: &str,
        condition: &Condition<T>,
    ) {
        if self.refuse(condition.problem()) {
            return;
        }
        let operator = match condition {
            Condition::Eq(_) => " = ",
            Condition::Ne(_) => " <> ",
            Condition::Lt(_) => " < ",
            Condition::Lte(_) => " <= ",
            Condition::Gt(_) => " > ",
            _ => " >= ",
        };
        match condition {
            Condition::Eq(v)
            | Condition::Ne(v)
            | Condition::Lt(v)
            | Condition::Lte(v)
            | Condition::Gt(v)
            | Condition::Gte(v) => {
                self.column(table, column);
                self.sql.push_str(operator);
                self.value(v);
            }
            Condition::In(values) | Condition::NotIn(values) => {
                let negated = matches!(condition, Condition::NotIn(_));
                if values.is_empty() {
                    // IN () is not SQL: nothing is in an empty list.
                    self.sql.push_str(if negated { "1 = 1" } else { "1 = 0" });
                    return;
                }
                if values.len() > 1 && self.array(table, column, values, negated) {
                    return;
                }
                self.column(table, column);
                self.sql
                    .push_str(if negated { " NOT IN (" } else { " IN (" });
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        self.sql.push_str(", ");
                    }
                    self.value(v);
                }
                self.sql.push(')');
            }
            Condition::Between(low, high) => {
                self.column(table, column);
                self.sql.push_str(" BETWEEN ");
                self.value(low);
                self.sql.push_str(" AND ");
                self.value(high);
            }
            Condition::Like {
                kind,
                case_insensitive,
                text,
            } => {
                let rules = self.dialect.rules();
                let column_sql = self.column_sql(table, column);
                let (before, operator, after) = rules.text_match(*case_insensitive);
                self.sql.push_str(&before.replace("{column}", &column_sql));
                self.sql.push_str(operator);
                self.text(rules.match_pattern(*kind, text, *case_insensitive));
                self.sql.push_str(after);
            }
            Condition::IsNull(null) => {
                self.column(table, column);
                self.sql
                    .push_str(if *null { " IS NULL" } else { " IS NOT NULL" });
            }
        }
    }
}

/// `"table"."column"`.
pub(crate) fn qualified(dialect: Dialect, table: &TableMeta, column: &str) -> String {
    let mut out = table_ident(dialect, table);
    out.push('.');
    dialect.quote_ident(&mut out, column);
    out
}

/// ` ORDER BY …` from `(column, descending)` terms, with the primary key
/// last so pages are stable. NULLs sort last ascending and first descending
/// on every dialect.
pub(crate) fn order_by<'c>(
    dialect: Dialect,
    table: &'static TableMeta,
    terms: impl Iterator<Item = (&'c str, bool)>,
    out: &mut String,
) {
    out.push_str(" ORDER BY ");
    let mut used: Vec<&str> = Vec::new();
    for (column, descending) in terms {
        if used.contains(&column) {
            continue;
        }
        if !used.is_empty() {
            out.push_str(", ");
        }
        let nullable = table.column(column).is_none_or(|c| c.nullable);
        dialect.rules().order_term(
            out,
            &qualified(dialect, table, column),
            descending,
            nullable,
        );
        used.push(column);
    }
    for key in table.primary_key {
        if used.contains(key) {
            continue;
        }
        if !used.is_empty() {
            out.push_str(", ");
        }
        out.push_str(&qualified(dialect, table, key));
        used.push(key);
    }
}

/// The `(column, descending)` terms of a Search's sort.
pub(crate) fn sort_terms<K: SortKey>(
    sort: &SortList<K>,
) -> impl Iterator<Item = (&'static str, bool)> + '_ {
    sort.0.iter().map(|s| (s.key.column(), s.descending))
}

#[cfg(all(test, feature = "postgres", feature = "sqlx-sqlite"))]
mod tests {
    use super::WhereWriter;
    use crate::driver::{Backend, Pg, Sqlite};
    use crate::dto::Condition;
    use crate::meta::TableMeta;

    static TABLE: TableMeta = TableMeta {
        entity: "T",
        name: "t",
        schema: None,
        columns: &[],
        primary_key: &["id"],
        primary_key_name: "pk_t",
        indexes: &[],
        foreign_keys: &[],
        version: None,
        created_at: None,
        updated_at: None,
        soft_delete: None,
        audited: false,
        renamed_from: None,
        comment: None,
        checks: &[],
    };

    fn written<B: Backend>(condition: &Condition<i64>) -> (String, usize)
    where
        i64: crate::driver::ColumnValue<B>,
    {
        let mut args = B::Args::default();
        let mut w = WhereWriter::<B>::new(&mut args, 0);
        w.condition(&TABLE, "id", condition);
        let written = w.finish().expect("written");
        (written.0, B::args_len(&args))
    }

    #[test]
    fn key_lists_are_one_array_on_postgres() {
        let three = Condition::In(vec![1i64, 2, 3]);
        let five = Condition::NotIn(vec![1i64, 2, 3, 4, 5]);
        assert_eq!(
            written::<Pg>(&three),
            (r#""t"."id" = ANY($1)"#.to_owned(), 1)
        );
        assert_eq!(
            written::<Pg>(&five),
            (r#""t"."id" <> ALL($1)"#.to_owned(), 1)
        );
        // One value stays `=`-like; other backends keep the list.
        assert_eq!(
            written::<Pg>(&Condition::In(vec![7i64])).0,
            r#""t"."id" IN ($1)"#
        );
        assert_eq!(
            written::<Sqlite>(&three),
            (r#""t"."id" IN (?, ?, ?)"#.to_owned(), 3)
        );
    }
}
