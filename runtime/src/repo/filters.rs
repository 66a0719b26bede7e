//! Search → `WHERE … ORDER BY … LIMIT …`, every value bound. This is the one
//! place where statement text is assembled from a request; identifiers in it
//! come only from entity metadata (`Filter` fields and `SortKey`s are
//! generated, never parsed into SQL), values only as placeholders.

use crate::backend::Dialect;
use crate::backend::driver::{Args, Backend, ColumnValue, bind};
use crate::dto::{Condition, Filter, LikeKind, SortKey, SortList};

/// Collects the conditions of a search and their bound values.
pub struct WhereWriter<'a, B: Backend> {
    dialect: Dialect,
    sql: String,
    args: &'a mut Args<B>,
    bound: usize,
    /// Whether the current group has a condition yet.
    first: bool,
    /// The joiner of the current group (` AND ` / ` OR `).
    joiner: &'static str,
    error: Option<sqlx::error::BoxDynError>,
}

impl<'a, B: Backend> WhereWriter<'a, B> {
    pub(crate) fn new(args: &'a mut Args<B>, bound: usize) -> Self {
        WhereWriter {
            dialect: B::DIALECT,
            sql: String::new(),
            args,
            bound,
            first: true,
            joiner: " AND ",
            error: None,
        }
    }

    /// The conditions (`TRUE` when there are none) and how many values are bound.
    pub(crate) fn finish(self) -> Result<(String, usize), sqlx::error::BoxDynError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let sql = if self.sql.is_empty() {
            "1 = 1".to_owned()
        } else {
            self.sql
        };
        Ok((sql, self.bound))
    }

    fn begin_condition(&mut self) {
        if !self.first {
            self.sql.push_str(self.joiner);
        }
        self.first = false;
    }

    fn column(&mut self, column: &str) {
        self.dialect.quote_ident(&mut self.sql, column);
    }

    fn value<T: ColumnValue<B>>(&mut self, value: &T) {
        if let Err(error) = bind::<B, T>(self.args, value) {
            self.error.get_or_insert(error);
        }
        self.bound += 1;
        self.dialect.placeholder(&mut self.sql, self.bound);
    }

    fn text(&mut self, text: String) {
        if let Err(error) = B::bind_text(self.args, text) {
            self.error.get_or_insert(error);
        }
        self.bound += 1;
        self.dialect.placeholder(&mut self.sql, self.bound);
    }

    /// Adds every condition of `filter` on `column` (AND).
    pub fn field<T: ColumnValue<B>, K>(
        &mut self,
        column: &'static str,
        filter: &Option<Filter<T, K>>,
    ) {
        let Some(filter) = filter else { return };
        for condition in filter.conditions() {
            self.begin_condition();
            self.condition(column, condition);
        }
    }

    fn condition<T: ColumnValue<B>>(&mut self, column: &'static str, condition: &Condition<T>) {
        let simple = |op: &'static str| op;
        match condition {
            Condition::Eq(v)
            | Condition::Ne(v)
            | Condition::Lt(v)
            | Condition::Lte(v)
            | Condition::Gt(v)
            | Condition::Gte(v) => {
                let op = simple(match condition {
                    Condition::Eq(_) => " = ",
                    Condition::Ne(_) => " <> ",
                    Condition::Lt(_) => " < ",
                    Condition::Lte(_) => " <= ",
                    Condition::Gt(_) => " > ",
                    _ => " >= ",
                });
                self.column(column);
                self.sql.push_str(op);
                self.value(v);
            }
            Condition::In(values) | Condition::NotIn(values) => {
                let negated = matches!(condition, Condition::NotIn(_));
                if values.is_empty() {
                    // IN () is not SQL: nothing is in an empty list.
                    self.sql.push_str(if negated { "1 = 1" } else { "1 = 0" });
                    return;
                }
                self.column(column);
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
                self.column(column);
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
                let mut column_sql = String::new();
                self.dialect.quote_ident(&mut column_sql, column);
                let (before, operator, after) = rules.text_match(*case_insensitive);
                self.sql.push_str(&before.replace("{column}", &column_sql));
                self.sql.push_str(operator);
                let pattern = rules.match_pattern(*kind, text, *case_insensitive);
                self.text(pattern);
                self.sql.push_str(after);
            }
            Condition::IsNull(null) => {
                self.column(column);
                self.sql
                    .push_str(if *null { " IS NULL" } else { " IS NOT NULL" });
            }
        }
    }

    /// Adds a parenthesised group of searches joined by OR (`any`) or AND,
    /// each written by `write`.
    pub fn group<S>(&mut self, searches: &[S], any: bool, mut write: impl FnMut(&mut Self, &S)) {
        if searches.is_empty() {
            return;
        }
        self.begin_condition();
        self.sql.push('(');
        let outer = (self.first, self.joiner);
        for (i, search) in searches.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(if any { " OR " } else { " AND " });
            }
            self.sql.push('(');
            self.first = true;
            self.joiner = " AND ";
            let before = self.sql.len();
            write(self, search);
            if self.sql.len() == before {
                self.sql.push_str("1 = 1");
            }
            self.sql.push(')');
        }
        self.sql.push(')');
        (self.first, self.joiner) = (false, outer.1);
    }
}

/// ` ORDER BY …`, with the primary key last so pages are stable. NULLs sort
/// last ascending and first descending on every dialect.
pub(crate) fn order_by<K: SortKey>(
    dialect: Dialect,
    sort: &SortList<K>,
    primary_key: &[&str],
    out: &mut String,
) {
    out.push_str(" ORDER BY ");
    let mut first = true;
    for s in &sort.0 {
        if !first {
            out.push_str(", ");
        }
        first = false;
        let mut column = String::new();
        dialect.quote_ident(&mut column, s.key.column());
        dialect.rules().order_term(out, &column, s.descending);
    }
    for key in primary_key {
        if sort.0.iter().any(|s| s.key.column() == *key) {
            continue;
        }
        if !first {
            out.push_str(", ");
        }
        first = false;
        dialect.quote_ident(out, key);
    }
}

/// The `LIKE`/`GLOB` kind a pattern is for, re-exported for dialect rules.
pub type MatchKind = LikeKind;
