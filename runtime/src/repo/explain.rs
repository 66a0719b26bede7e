//! `EXPLAIN` of a query or a search, and the index advice drawn from it
//! (`observe::plan`).

use std::future::Future;

use crate::backend::Dialect;
use crate::driver::{Args, Backend as _, statement};
use crate::error::{Error, Result};
use crate::exec::{Exec, with_conn};
use crate::meta::TableMeta;
use crate::observe::plan::{self, Plan};
use crate::query::Query;
use crate::query::builder::Shape;
use crate::query::expr::Node;

use super::{Model, OnEveryBackend, context};

/// The columns of `table` that `node` filters on, in order.
fn filter_columns(node: &Node, table: &'static TableMeta, out: &mut Vec<&'static str>) {
    match node {
        Node::Condition {
            table: t, column, ..
        }
        | Node::Like {
            table: t, column, ..
        } if std::ptr::eq(*t, table) && !out.contains(column) => out.push(column),
        Node::And(parts) | Node::Or(parts) => {
            parts.iter().for_each(|p| filter_columns(p, table, out));
        }
        Node::Not(inner) => filter_columns(inner, table, out),
        _ => {}
    }
}

impl<E: Model + OnEveryBackend> Query<E> {
    /// The database's plan for this query (its rows' `SELECT`: filter,
    /// order and page; eager loads are not planned), read into a
    /// [`Plan`]: `EXPLAIN (FORMAT JSON)` on PostgreSQL, `EXPLAIN
    /// FORMAT=JSON` on MySQL/MariaDB, `EXPLAIN QUERY PLAN` on SQLite. When
    /// the table is read in full, its rows are counted too (one `COUNT(*)`),
    /// for [`Plan::advice`]. Values are bound as for the query itself.
    ///
    /// ```
    /// use entable::prelude::*;
    ///
    /// #[derive(Entity, Debug, Clone)]
    /// pub struct Ticket {
    ///     #[entity(primary_key, auto_increment)]
    ///     pub id: i64,
    ///     #[entity(max_length = 20)]
    ///     pub code: String,
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> entable::Result<()> {
    /// let db = Db::connect("sqlite::memory:").await?;
    /// Schema::of([Ticket::table()])?.create_all(&db).await?;
    /// let rows = (0..2000).map(|i| TicketCreate { code: format!("T-{i}") });
    /// Ticket::bulk_insert(&db, rows).await?;
    /// let plan = Ticket::query().filter(Ticket::CODE.eq("T-7".to_owned())).explain(&db).await?;
    /// let advice = plan.advice();
    /// assert_eq!(advice[0].attribute, "#[entity(index)] on field `code`");
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    pub fn explain<'a>(
        self,
        exec: impl Into<Exec<'a>>,
    ) -> impl Future<Output = Result<Plan>> + Send + 'a
    where
        E: 'a,
    {
        crate::observe::site::located({
            let exec = exec.into();
            async move {
                let context = context::<E>("explain");
                let table = E::table();
                let mut filtered = Vec::new();
                filter_columns(&self.filter, table, &mut filtered);
                let order_columns: Vec<&'static str> = self.order.iter().map(|(c, _)| *c).collect();
                let dialect = exec.dialect();
                let (text, scans, sorts, table_rows) = with_conn!(exec, context, B, conn => {
                    let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
                    let fixed = E::sql().fixed(B::DIALECT, table);
                    let (sql, args) = self.statement::<B>(&fixed.select, Shape::Rows, context)?;
                    let text = match B::DIALECT {
                        Dialect::Postgres => {
                            let sql = format!("EXPLAIN (FORMAT JSON) {sql}");
                            statement::fetch_scalar::<B, serde_json::Value>(&mut *conn, sql, args)
                                .await
                                .map_err(classify)?
                                .to_string()
                        }
                        Dialect::MySql => {
                            let sql = format!("EXPLAIN FORMAT=JSON {sql}");
                            statement::fetch_scalar::<B, String>(&mut *conn, sql, args).await.map_err(classify)?
                        }
                        Dialect::Sqlite => {
                            let sql = format!("EXPLAIN QUERY PLAN {sql}");
                            let rows = statement::fetch_all::<B>(&mut *conn, sql, args).await.map_err(classify)?;
                            let mut lines = Vec::with_capacity(rows.len());
                            for row in &rows {
                                lines.push(B::get::<String>(row, 3).map_err(classify)?);
                            }
                            lines.join("\n")
                        }
                    };
                    let (scans, sorts) = plan::parse(B::DIALECT, &text)
                        .map_err(|reason| Error::Usage { context, reason })?;
                    let table_rows = if scans.iter().any(|s| s.full && s.table.eq_ignore_ascii_case(table.name)) {
                        let mut count = String::from("SELECT COUNT(*) FROM ");
                        B::DIALECT.quote_table(&mut count, table.schema, table.name);
                        let rows: i64 = statement::fetch_scalar::<B, i64>(&mut *conn, count, Args::<B>::default())
                            .await
                            .map_err(classify)?;
                        Some(u64::try_from(rows).unwrap_or(0))
                    } else {
                        None
                    };
                    Ok::<_, Error>((text, scans, sorts, table_rows))
                })?;
                Ok(Plan {
                    dialect,
                    scans,
                    sort_without_index: sorts,
                    text,
                    table_rows,
                    table,
                    filter_columns: filtered,
                    order_columns,
                })
            }
        })
    }

    /// [`explain`](Self::explain) for the rows a search asks for (its
    /// filter and sort, within this query).
    #[track_caller]
    pub fn explain_search<'a>(
        self,
        exec: impl Into<Exec<'a>>,
        search: &E::Search,
    ) -> impl Future<Output = Result<Plan>> + Send + 'a
    where
        E: 'a,
    {
        let mut query = self.filter(E::search_filter(search));
        let own = std::mem::take(&mut query.order);
        query.order = super::filters::sort_terms(E::search_sort(search))
            .chain(own)
            .collect();
        query.explain(exec)
    }
}
