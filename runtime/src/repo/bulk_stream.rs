//! `bulk_insert` straight from the caller's iterator: rows go into
//! statements as they come, with no collected copy of the input, when
//! nothing needs to see every row first (no validation rules, no audit
//! log). The other cases, and PostgreSQL's binary `COPY`, collect the
//! rows a chunk at a time (`bulk_chunked`).

use crate::driver::statement;

use super::bulk_insert::{SizeHint, rows_per_statement};
use super::change::in_change;
use super::statements::BulkInsert;
use super::{ArgsSink, Model, OnEveryBackend, Persist, context};
use crate::backend::Dialect;
use crate::driver::{Args, Backend as _};
use crate::error::bind_error;
use crate::error::{Error, Result};
use crate::exec::InnerExec as _;
use crate::exec::{Exec, with_conn};

/// Inserts every row of `rows` in one transaction (a savepoint inside the
/// caller's); returns the count.
pub(crate) async fn insert<E, I>(exec: Exec<'_>, rows: I) -> Result<u64>
where
    E: Model + OnEveryBackend,
    I: Iterator<Item = E::Create> + Send,
{
    let table = E::table();
    let streams = !E::VALIDATES_CREATE && !table.audited && exec.dialect() != Dialect::Postgres;
    if !streams {
        // Collected, validated and inserted a chunk at a time.
        return super::bulk_chunked::insert::<E, _>(exec, rows).await;
    }
    let mut rows = rows.peekable();
    if rows.peek().is_none() {
        return Ok(0);
    }
    let context = context::<E>("bulk_insert");
    // The iterator's own count of what is left, where it knows one.
    let expected = rows.size_hint().0;
    with_conn!(exec, context, rows expected, B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        in_change!(B, conn, classify, tx => {
            // MySQL: a statement must fit half of `max_allowed_packet`.
            let budget = if B::DIALECT == Dialect::MySql {
                let packet: i64 = statement::fetch_scalar::<B, _>(&mut *tx, "SELECT CAST(@@max_allowed_packet AS SIGNED)", Args::<B>::default())
                    .await
                    .map_err(classify)?;
                Some(usize::try_from(packet / 2).unwrap_or(usize::MAX))
            } else {
                None
            };
            let mut count = 0u64;
            // A row that did not fit the statement before, first in the next.
            let mut carried: Option<E::Create> = None;
            while let Some(first) = carried.take().or_else(|| rows.next()) {
                let columns = E::create_columns(&first);
                if columns == 0 {
                    // Every column takes its default: one row per statement.
                    super::rows::insert_row::<E>(B::inner(&mut tx, None), &first).await?;
                    count += 1;
                    continue;
                }
                let per_row = columns.count_ones() as usize;
                let full = rows_per_statement(B::DIALECT, per_row);
                let mut args = Args::<B>::default();
                B::reserve_args(&mut args, full * per_row);
                let (mut len, mut bytes) = (0usize, 0usize);
                let mut next = Some(first);
                while let Some(input) = next.take() {
                    if let Some(budget) = budget {
                        let mut size = SizeHint(0);
                        let _ = <E as Persist<B>>::write_create(&input, &mut size);
                        if len > 0 && bytes + size.0 > budget {
                            carried = Some(input);
                            break;
                        }
                        bytes += size.0;
                    }
                    <E as Persist<B>>::write_create_owned(input, &mut ArgsSink(&mut args))
                        .map_err(|e| bind_error(context, e))?;
                    len += 1;
                    // Rows that write other columns start a statement of
                    // their own.
                    if len < full && rows.peek().is_some_and(|r| E::create_columns(r) == columns) {
                        next = rows.next();
                    }
                }
                let shape = BulkInsert { rows: len, returning: false, upsert: None, inserted: false };
                let sql = E::sql().bulk_insert(B::DIALECT, table, columns, shape, len == full);
                let done = statement::execute::<B>(&mut *tx, sql, args)
                    .await
                    .map_err(classify)?;
                count += done.rows_affected;
            }
            Ok(count)
        })
    })
}
