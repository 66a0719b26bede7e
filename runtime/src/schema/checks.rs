//! The CHECK constraints of a table as SQL per dialect: one per enum
//! column, then the declared ones.

use crate::backend::Dialect;
use crate::meta::names::ident_string;
use crate::meta::{Check, TableMeta};

impl TableMeta {
    /// Every CHECK constraint of the table: first one per enum column
    /// (named `ck_<table>_<column>`, `"column" IN ('label', …)`), then
    /// the declared ones ([`TableMeta::checks`]).
    pub fn check_constraints(&self) -> Vec<Check> {
        let mut out: Vec<Check> = self
            .columns
            .iter()
            .filter(|c| !c.labels.is_empty())
            .map(|column| {
                let sql = |dialect: Dialect| {
                    let mut sql = String::new();
                    dialect.quote_ident(&mut sql, column.name);
                    sql.push_str(" IN (");
                    for (i, label) in column.labels.iter().enumerate() {
                        if i > 0 {
                            sql.push_str(", ");
                        }
                        dialect.quote_str(&mut sql, label);
                    }
                    sql.push(')');
                    sql
                };
                Check {
                    name: ident_string(&["ck_", self.name, "_", column.name]),
                    postgres: sql(Dialect::Postgres),
                    mysql: sql(Dialect::MySql),
                    sqlite: sql(Dialect::Sqlite),
                }
            })
            .collect();
        out.extend(self.checks.iter().map(|check| Check {
            name: check.name.to_owned(),
            postgres: check.sql.postgres.to_owned(),
            mysql: check.sql.mysql.to_owned(),
            sqlite: check.sql.sqlite.to_owned(),
        }));
        out
    }
}
