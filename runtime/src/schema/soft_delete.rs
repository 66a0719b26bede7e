//! The soft-delete marker: the column whose value says whether a row is
//! deleted, and the SQL that tests, sets and clears it. Every statement,
//! partial index and MySQL marker column asks the marker here, so a
//! timestamp and a boolean flag behave alike everywhere.

use crate::backend::Dialect;
use crate::meta::{SoftDelete, SoftDeleteKind};

impl SoftDeleteKind {
    /// What follows the column in a condition that holds on live rows
    /// (`live`) or on deleted ones: ` IS NULL` / ` IS NOT NULL` for a time
    /// stamp, ` = <literal>` for a flag (the column is `NOT NULL`).
    pub fn push_condition(self, dialect: Dialect, sql: &mut String, live: bool) {
        match self {
            SoftDeleteKind::Timestamp => {
                sql.push_str(if live { " IS NULL" } else { " IS NOT NULL" });
            }
            SoftDeleteKind::Flag { live: value } => {
                sql.push_str(" = ");
                sql.push_str(
                    dialect
                        .rules()
                        .bool_literal(if live { value } else { !value }),
                );
            }
        }
    }

    /// The value a restore (or an upsert overwriting a row) assigns: `NULL`
    /// or the live literal.
    pub fn live_value(self, dialect: Dialect) -> &'static str {
        match self {
            SoftDeleteKind::Timestamp => "NULL",
            SoftDeleteKind::Flag { live } => dialect.rules().bool_literal(live),
        }
    }

    /// The literal a delete assigns, or `None` when it assigns a bound
    /// value (the time of a time stamp, bound by the generated
    /// `bind_soft_delete`).
    pub fn deleted_literal(self, dialect: Dialect) -> Option<&'static str> {
        match self {
            SoftDeleteKind::Timestamp => None,
            SoftDeleteKind::Flag { live } => Some(dialect.rules().bool_literal(!live)),
        }
    }
}

impl SoftDelete {
    /// `<column> IS NULL`, `<column> = FALSE`, …: the condition of live rows
    /// (`live`) or of deleted ones, the column unqualified.
    pub fn push_condition(&self, dialect: Dialect, sql: &mut String, live: bool) {
        dialect.quote_ident(sql, self.column);
        self.kind.push_condition(dialect, sql, live);
    }
}
