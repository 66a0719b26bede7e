//! Query plans, read from each dialect's `EXPLAIN` into one small
//! structure ([`Plan`]), and the index advice drawn from them
//! ([`Suggestion`]).

use serde_json::Value;

use crate::backend::Dialect;
use crate::meta::TableMeta;

/// How the database reads one table in a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Scan {
    /// The table.
    pub table: String,
    /// The index used, if any.
    pub index: Option<String>,
    /// Every row of the table is read (PostgreSQL's `Seq Scan`, MySQL's
    /// access types `ALL` and `index`, SQLite's `SCAN` without an index).
    pub full: bool,
    /// The planner's estimate of the rows it reads or returns, where the
    /// dialect tells one.
    pub estimated_rows: Option<u64>,
}

/// The plan of one query: its scans, whether it sorts without an index,
/// and what it asked for (so that [`Plan::advice`] can name the columns).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Plan {
    /// The dialect that planned it.
    pub dialect: Dialect,
    /// Each table read, outermost first.
    pub scans: Vec<Scan>,
    /// Rows are sorted after reading (no index gives the order).
    pub sort_without_index: bool,
    /// The plan as the database wrote it (JSON, or SQLite's lines).
    pub text: String,
    /// Rows in the queried table, counted when it is read in full.
    pub table_rows: Option<u64>,
    pub(crate) table: &'static TableMeta,
    pub(crate) filter_columns: Vec<&'static str>,
    pub(crate) order_columns: Vec<&'static str>,
}

/// An index the plan says is missing.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Suggestion {
    /// The entity whose table is read in full.
    pub entity: &'static str,
    /// Its table.
    pub table: &'static str,
    /// The columns the index should have, in order.
    pub columns: Vec<&'static str>,
    /// What to add to the entity: `#[entity(index)]` on field `x`, or
    /// `#[entity(index(a, b))]` on the struct.
    pub attribute: String,
    /// The `CREATE INDEX` the next migration would hold.
    pub ddl: String,
    /// Why, in a sentence.
    pub reason: String,
}

impl std::fmt::Display for Suggestion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} ({})", self.entity, self.attribute, self.reason)
    }
}

/// Tables smaller than this are never worth an index suggestion.
pub const DEFAULT_MIN_ROWS: u64 = 1000;

impl Plan {
    /// The indexes this plan says are missing, for tables of at least
    /// [`DEFAULT_MIN_ROWS`] rows.
    pub fn advice(&self) -> Vec<Suggestion> {
        self.advice_above(DEFAULT_MIN_ROWS)
    }

    /// [`advice`](Self::advice) for tables of at least `min_rows` rows: a
    /// full scan of the queried table, filtered or sorted on columns no
    /// index leads with, becomes one suggestion over those columns
    /// (filters first, then the sort when the plan sorts).
    pub fn advice_above(&self, min_rows: u64) -> Vec<Suggestion> {
        let table = self.table;
        let full = self
            .scans
            .iter()
            .any(|s| s.full && s.table.eq_ignore_ascii_case(table.name));
        if !full || self.table_rows.is_some_and(|rows| rows < min_rows) {
            return Vec::new();
        }
        let mut columns: Vec<&'static str> = Vec::new();
        for column in &self.filter_columns {
            if !columns.contains(column) {
                columns.push(column);
            }
        }
        if self.sort_without_index {
            for column in &self.order_columns {
                if !columns.contains(column) {
                    columns.push(column);
                }
            }
        }
        let Some(first) = columns.first() else {
            return Vec::new();
        };
        let led = |lead: &str| {
            table.primary_key.first() == Some(&lead)
                || table
                    .indexes
                    .iter()
                    .any(|i| i.columns.first() == Some(&lead))
        };
        if led(first) {
            return Vec::new();
        }
        let fields: Vec<&str> = columns
            .iter()
            .map(|c| table.column(c).map_or(*c, |c| c.field))
            .collect();
        let attribute = match fields.as_slice() {
            [field] => format!("#[entity(index)] on field `{field}`"),
            _ => format!(
                "#[entity(index({}))] on struct `{}`",
                fields.join(", "),
                table.entity
            ),
        };
        let mut parts = vec!["ix_", table.name];
        for column in &columns {
            parts.push("_");
            parts.push(column);
        }
        let name = crate::meta::names::ident_string(&parts);
        let mut ddl = String::from("CREATE INDEX ");
        self.dialect.quote_ident(&mut ddl, &name);
        ddl.push_str(" ON ");
        self.dialect.quote_table(&mut ddl, table.schema, table.name);
        ddl.push_str(" (");
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                ddl.push_str(", ");
            }
            self.dialect.quote_ident(&mut ddl, column);
        }
        ddl.push(')');
        let rows = self
            .table_rows
            .map_or_else(String::new, |rows| format!(" of {rows} rows"));
        vec![Suggestion {
            entity: table.entity,
            table: table.name,
            columns: columns.clone(),
            attribute,
            ddl,
            reason: format!(
                "the table{rows} is read in full to filter or sort on {}, which no index leads with",
                columns.join(", ")
            ),
        }]
    }
}

/// The scans of a plan and whether it sorts, from `EXPLAIN (FORMAT JSON)`
/// (PostgreSQL), `EXPLAIN FORMAT=JSON` (MySQL/MariaDB) or the `detail`
/// lines of `EXPLAIN QUERY PLAN` (SQLite).
pub(crate) fn parse(dialect: Dialect, text: &str) -> Result<(Vec<Scan>, bool), String> {
    let mut scans = Vec::new();
    let mut sorts = false;
    match dialect {
        Dialect::Sqlite => {
            for line in text.lines() {
                let line = line.trim();
                let mut words = line.split_whitespace();
                match words.next() {
                    Some(verb @ ("SCAN" | "SEARCH")) => {
                        let mut table = words.next().unwrap_or("");
                        if table == "TABLE" {
                            table = words.next().unwrap_or("");
                        }
                        let index = line
                            .split_once(" INDEX ")
                            .map(|(_, rest)| {
                                rest.split_whitespace().next().unwrap_or("").to_owned()
                            })
                            .or_else(|| {
                                line.contains("PRIMARY KEY")
                                    .then(|| "PRIMARY KEY".to_owned())
                            });
                        scans.push(Scan {
                            table: table.to_owned(),
                            full: verb == "SCAN" && index.is_none(),
                            index,
                            estimated_rows: None,
                        });
                    }
                    Some("USE") if line.contains("ORDER BY") => sorts = true,
                    _ => {}
                }
            }
        }
        Dialect::Postgres | Dialect::MySql => {
            let json: Value =
                serde_json::from_str(text).map_err(|e| format!("the plan is not JSON: {e}"))?;
            if dialect == Dialect::Postgres {
                walk_postgres(&json, &mut scans, &mut sorts);
            } else {
                walk_mysql(&json, &mut scans, &mut sorts);
            }
        }
    }
    Ok((scans, sorts))
}

fn rows_of(value: Option<&Value>) -> Option<u64> {
    value.and_then(|v| v.as_u64().or_else(|| v.as_f64().map(|f| f.max(0.0) as u64)))
}

fn walk_postgres(value: &Value, scans: &mut Vec<Scan>, sorts: &mut bool) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| walk_postgres(v, scans, sorts)),
        Value::Object(map) => {
            if let Some(plan) = map.get("Plan") {
                walk_postgres(plan, scans, sorts);
            }
            let node = map.get("Node Type").and_then(Value::as_str).unwrap_or("");
            if node == "Sort" || node == "Incremental Sort" {
                *sorts = true;
            }
            if let Some(table) = map.get("Relation Name").and_then(Value::as_str) {
                let index = map
                    .get("Index Name")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or_else(|| bitmap_index(map.get("Plans")));
                scans.push(Scan {
                    table: table.to_owned(),
                    full: node == "Seq Scan",
                    index,
                    estimated_rows: rows_of(map.get("Plan Rows")),
                });
            }
            if let Some(children) = map.get("Plans") {
                walk_postgres(children, scans, sorts);
            }
        }
        _ => {}
    }
}

/// The index of a `Bitmap Index Scan` under a `Bitmap Heap Scan`.
fn bitmap_index(children: Option<&Value>) -> Option<String> {
    children?.as_array()?.iter().find_map(|child| {
        child
            .get("Index Name")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| bitmap_index(child.get("Plans")))
    })
}

fn walk_mysql(value: &Value, scans: &mut Vec<Scan>, sorts: &mut bool) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| walk_mysql(v, scans, sorts)),
        Value::Object(map) => {
            if map.contains_key("filesort") || map.get("using_filesort") == Some(&Value::Bool(true))
            {
                *sorts = true;
            }
            if let Some(table) = map.get("table_name").and_then(Value::as_str) {
                let access = map.get("access_type").and_then(Value::as_str).unwrap_or("");
                scans.push(Scan {
                    table: table.to_owned(),
                    index: map.get("key").and_then(Value::as_str).map(str::to_owned),
                    // `index`: every entry of an index, in its order
                    // (the key's, for an ORDER BY): every row all the same.
                    full: access == "ALL" || access == "index",
                    estimated_rows: rows_of(
                        map.get("rows")
                            .or_else(|| map.get("rows_examined_per_scan")),
                    ),
                });
            }
            for (key, child) in map {
                if key != "table_name" {
                    walk_mysql(child, scans, sorts);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_of_each_dialect() {
        let pg = r#"[{"Plan": {"Node Type": "Sort", "Plans": [{"Node Type": "Seq Scan", "Relation Name": "ticket", "Plan Rows": 12}]}}]"#;
        let (scans, sorts) = parse(Dialect::Postgres, pg).expect("pg");
        assert!(sorts);
        assert_eq!(scans[0].table, "ticket");
        assert!(scans[0].full);
        let bitmap = r#"[{"Plan": {"Node Type": "Bitmap Heap Scan", "Relation Name": "t", "Plans": [{"Node Type": "Bitmap Index Scan", "Index Name": "ix_t_a"}]}}]"#;
        let (scans, _) = parse(Dialect::Postgres, bitmap).expect("bitmap");
        assert_eq!(scans[0].index.as_deref(), Some("ix_t_a"));
        assert!(!scans[0].full);
        let my = r#"{"query_block": {"select_id": 1, "filesort": {"sort_key": "t.a", "table": {"table_name": "t", "access_type": "ALL", "rows": 3000}}}}"#;
        let (scans, sorts) = parse(Dialect::MySql, my).expect("mysql");
        assert!(sorts && scans[0].full);
        assert_eq!(scans[0].estimated_rows, Some(3000));
        let lite = "SCAN ticket\nUSE TEMP B-TREE FOR ORDER BY";
        let (scans, sorts) = parse(Dialect::Sqlite, lite).expect("sqlite");
        assert!(sorts && scans[0].full);
        let lite = "SEARCH ticket USING INDEX ix_ticket_code (code=?)";
        let (scans, _) = parse(Dialect::Sqlite, lite).expect("sqlite");
        assert_eq!(scans[0].index.as_deref(), Some("ix_ticket_code"));
        assert!(!scans[0].full);
        assert!(parse(Dialect::MySql, "not json").is_err());
    }
}
