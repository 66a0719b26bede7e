//! `bulk_insert` straight from the caller's iterator: rows go into
//! statements as they come, with no collected copy of the input, when
//! nothing needs to see every row first (no validation rules, no audit
//! log). The other cases, and PostgreSQL's binary `COPY`, collect the
//! rows a chunk at a time (`bulk_chunked`).

use crate::driver::statement;

use super::bulk_insert::{
    PACKET_FLOOR, encoded_size, insert_rows, packet_budget, rows_per_statement, validate_rows,
};
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
/// caller's); returns the count. An input that fits one statement is sent
/// as that statement alone, without a transaction around it.
pub(crate) async fn insert<E, I>(exec: Exec<'_>, rows: I) -> Result<u64>
where
    E: Model + OnEveryBackend,
    I: Iterator<Item = E::Create> + Send,
{
    let table = E::table();
    let dialect = exec.dialect();
    let mut rows = rows.peekable();
    let Some(first) = rows.peek() else {
        return Ok(0);
    };
    let context = context::<E>("bulk_insert");
    if !table.audited {
        // As much of the input as one statement can take (on PostgreSQL,
        // one `COPY`): when that is all of it, `insert_rows` sends it
        // without a transaction (or, cut by the packet size, in one).
        let head_len = if dialect == Dialect::Postgres {
            super::bulk_chunked::CHUNK
        } else {
            rows_per_statement(dialect, E::create_columns(first).count_ones() as usize)
        };
        let head: Vec<E::Create> = rows.by_ref().take(head_len).collect();
        if rows.peek().is_none() {
            if E::VALIDATES_CREATE {
                validate_rows(&head, context)?;
            }
            return Ok(
                insert_rows::<E>(exec, head, false, None, None, true, context)
                    .await?
                    .0,
            );
        }
        return stream::<E, _>(exec, head.into_iter().chain(rows)).await;
    }
    stream::<E, _>(exec, rows).await
}

/// [`insert`] of more than one statement's rows.
async fn stream<E, I>(exec: Exec<'_>, rows: I) -> Result<u64>
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
    let context = context::<E>("bulk_insert");
    // The iterator's own count of what is left, where it knows one.
    let expected = rows.size_hint().0;
    with_conn!(exec, context, rows expected, B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        in_change!(B, conn, classify, tx => {
            // MySQL: a statement must fit half of `max_allowed_packet`,
            // asked once a statement grows past what any server takes.
            let mut budget = (B::DIALECT == Dialect::MySql).then_some(PACKET_FLOOR);
            let mut asked = false;
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
                    if let Some(limit) = budget.as_mut() {
                        let size = encoded_size::<E, B>(&input);
                        if bytes + size > *limit && !asked {
                            asked = true;
                            *limit = packet_budget::<B>(&mut tx).await.map_err(classify)?;
                        }
                        if len > 0 && bytes + size > *limit {
                            carried = Some(input);
                            break;
                        }
                        bytes += size;
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
