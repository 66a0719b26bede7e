//! Many rows per statement: multi-row `VALUES` chunked to each backend's
//! bind-parameter and packet limits, or PostgreSQL's binary `COPY`; the
//! insert every bulk path ends in.

use crate::driver::statement;
use validator::Validate;

use super::change::in_change;
use super::statements::BulkInsert;
use super::{ColumnSet, Model, OnEveryBackend, Persist};
use crate::backend::Dialect;
use crate::driver::{Args, Backend as _};
use crate::error::bind_error;
use crate::error::{Context, Error, Result};
use crate::exec::{Exec, with_conn};
use crate::query::Query;

/// Rows per statement on MySQL: 1,000-row chunks beat the bind-limit
/// maximum there (STACK.md §4) and stay far below `max_allowed_packet`.
const MYSQL_ROWS: usize = 1_000;

/// How many rows of `per_row` values one statement takes on `dialect`.
pub(crate) fn rows_per_statement(dialect: Dialect, per_row: usize) -> usize {
    let by_binds = (dialect.bind_limit() / per_row.max(1)).max(1);
    if dialect == Dialect::MySql {
        by_binds.min(MYSQL_ROWS)
    } else {
        by_binds
    }
}

/// Validates every row before any SQL; the error names the first bad row.
pub(crate) fn validate_rows<T: Validate>(rows: &[T], context: Context) -> Result<()> {
    validate_rows_from(rows, 0, context)
}

/// [`validate_rows`] for a part of the input beginning at row `first`: the
/// error names the row's index in the whole input.
pub(crate) fn validate_rows_from<T: Validate>(
    rows: &[T],
    first: usize,
    context: Context,
) -> Result<()> {
    for (i, input) in rows.iter().enumerate() {
        input.validate().map_err(|errors| Error::InvalidRow {
            context,
            row: first + i,
            errors,
        })?;
    }
    Ok(())
}

/// Consecutive rows writing the same columns, as `(columns, rows)`: one
/// statement shape each (an input leaving a defaulted field out writes one
/// column fewer).
fn runs<E: Model>(rows: &[E::Create]) -> Vec<(ColumnSet, &[E::Create])> {
    let mut out: Vec<(ColumnSet, &[E::Create])> = Vec::new();
    let mut start = 0;
    for i in 1..=rows.len() {
        let split =
            i == rows.len() || E::create_columns(&rows[i]) != E::create_columns(&rows[start]);
        if split {
            out.push((E::create_columns(&rows[start]), &rows[start..i]));
            start = i;
        }
    }
    out
}

/// Whether PostgreSQL's binary `COPY` can load `E`: every column's value
/// has the binary form of its column type (no `sql_type` of the user's,
/// which `INSERT` would cast to and `COPY` cannot).
fn copyable<E: Model>() -> bool {
    E::table()
        .columns
        .iter()
        .all(|c| !matches!(c.sql_type, crate::backend::SqlType::Custom(_)))
}

/// The shortest run of rows loaded with `COPY` on PostgreSQL. sqlx writes a
/// `COPY`'s data and its end in two writes on a socket without
/// `TCP_NODELAY`, so each `COPY` waits out the server's delayed ACK (about
/// 40 ms on Linux): worth it for a long run, ruinous for a short one (a
/// run of rows alternating between two column sets took 40 ms a row).
const COPY_MIN_ROWS: usize = 2_000;

/// Bytes of values a MySQL load may send without asking the server for
/// its `max_allowed_packet`: half of 1 MiB, the smallest default any
/// MySQL since 5.5 or MariaDB has shipped (4 MiB, 16 MiB and 64 MiB
/// since). A server set below it refuses such a statement as it would
/// refuse a `create` of the same size.
pub(super) const PACKET_FLOOR: usize = 512 * 1024;

/// The encoded size of `input`'s values, as [`SizeHint`] counts them. A
/// row that cannot be sized counts as empty; binding it reports the error.
pub(super) fn encoded_size<E: Persist<B>, B: crate::driver::Backend>(input: &E::Create) -> usize {
    let mut size = SizeHint(0);
    let _ = <E as Persist<B>>::write_create(input, &mut size);
    size.0
}

/// Whether the values of `rows` add up to more than [`PACKET_FLOOR`]
/// (sized until they do, not to the end).
fn passes_floor<E: Persist<B>, B: crate::driver::Backend>(rows: &[E::Create]) -> bool {
    let mut bytes = 0usize;
    rows.iter().any(|input| {
        bytes += encoded_size::<E, B>(input);
        bytes > PACKET_FLOOR
    })
}

/// MySQL's `max_allowed_packet` on `conn`, halved: the byte budget of one
/// statement's values.
pub(super) async fn packet_budget<B: crate::driver::Backend>(
    conn: &mut B::Conn,
) -> std::result::Result<usize, crate::driver::DriverError>
where
    i64: crate::driver::ColumnValue<B>,
{
    let packet: i64 = statement::fetch_scalar::<B, _>(
        conn,
        "SELECT CAST(@@max_allowed_packet AS SIGNED)",
        Args::<B>::default(),
    )
    .await?;
    Ok(usize::try_from(packet / 2).unwrap_or(usize::MAX))
}

/// What a load of [`insert_rows`] does, decided before its first statement.
struct Load {
    want_rows: bool,
    /// The stored rows come back in the inserts' `RETURNING`.
    returning: bool,
    upsert: Option<ColumnSet>,
    /// Runs of [`COPY_MIN_ROWS`] or more go as one binary `COPY` each.
    copy: bool,
    /// One statement per row, each reporting its own key.
    one_by_one: bool,
    context: Context,
}

/// One run of rows writing the same columns: its columns, its length and
/// the rows of each of its multi-row statements.
type Run = (ColumnSet, usize, Vec<usize>);

impl Load {
    /// How many statements `plan` sends (a row read back by key counts).
    fn statements(&self, plan: &[Run], dialect: Dialect) -> usize {
        let read_back = usize::from(self.want_rows && !self.returning);
        plan.iter()
            .map(|(columns, len, parts)| {
                if *columns == 0 || self.one_by_one {
                    len * (1 + usize::from(!dialect.has_returning()))
                } else if self.copy && *len >= COPY_MIN_ROWS {
                    1
                } else {
                    parts.len() * (1 + read_back)
                }
            })
            .sum()
    }
}

/// Inserts `rows` (validated) on `exec`, as multi-row inserts (or, for a
/// count on PostgreSQL, a binary `COPY`); returns how many were inserted
/// and, when `want_rows`, the stored rows in input order. With `upsert`, a
/// row conflicting on those columns overwrites the existing one.
///
/// With `atomic`, a load of more than one statement runs in a transaction
/// of its own (a savepoint inside the caller's), and a load of one
/// statement runs without: one statement is atomic by itself, and its
/// `BEGIN` and `COMMIT` would be two more round trips. Without `atomic`,
/// the caller's transaction holds the statements.
pub(crate) async fn insert_rows<E: Model + OnEveryBackend>(
    exec: Exec<'_>,
    rows: Vec<E::Create>,
    want_rows: bool,
    upsert: Option<ColumnSet>,
    inserted: Option<&mut Vec<bool>>,
    atomic: bool,
    context: Context,
) -> Result<(u64, Vec<E>)> {
    let table = E::table();
    with_conn!(exec, context, rows rows.len(), B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        let returning = want_rows && B::DIALECT.has_returning();
        // MySQL: statements must fit `max_allowed_packet`, and one
        // multi-row insert's auto-increment keys are consecutive from the
        // first it reports only with a step of 1 and InnoDB's lock mode 0 or
        // 1 (MySQL 8 defaults to 2, where they can interleave with another
        // statement's; Galera and multi-primary setups step by the node
        // count). Asked only when the load needs them: keys to read back,
        // or more bytes than any server takes without asking.
        let (consecutive, budget) = if B::DIALECT == Dialect::MySql
            && ((want_rows && !returning)
                || passes_floor::<E, B>(&rows))
        {
            let row = statement::fetch_one::<B>(
                &mut *conn,
                "SELECT CAST(@@innodb_autoinc_lock_mode AS SIGNED), CAST(@@auto_increment_increment AS SIGNED), CAST(@@max_allowed_packet AS SIGNED)",
                Args::<B>::default(),
            )
            .await
            .map_err(classify)?;
            let (mode, step, packet): (i64, i64, i64) =
                (B::get(&row, 0).map_err(classify)?, B::get(&row, 1).map_err(classify)?, B::get(&row, 2).map_err(classify)?);
            (mode < 2 && step == 1, Some(usize::try_from(packet / 2).unwrap_or(usize::MAX)))
        } else {
            (true, None)
        };
        let load = Load {
            want_rows,
            returning,
            upsert,
            copy: B::DIALECT == Dialect::Postgres && !want_rows && upsert.is_none() && copyable::<E>(),
            one_by_one: want_rows && !returning && upsert.is_none() && !consecutive,
            context,
        };
        // The plan, read from the inputs by reference: each run's columns,
        // length and statements. The inputs are then consumed in order, so
        // their values move into the statements instead of being copied.
        let plan: Vec<Run> = runs::<E>(&rows)
            .into_iter()
            .map(|(columns, run)| {
                let per_row = columns.count_ones() as usize;
                let chunk = rows_per_statement(B::DIALECT, per_row);
                let parts = chunks::<E, B>(run, chunk, budget).iter().map(|p| p.len()).collect();
                (columns, run.len(), parts)
            })
            .collect();
        if atomic && load.statements(&plan, B::DIALECT) > 1 {
            in_change!(B, conn, classify, tx => {
                send::<E, B>(&mut tx, rows, plan, &load, inserted).await
            })
        } else {
            send::<E, B>(conn, rows, plan, &load, inserted).await
        }
    })
}

/// Sends the statements of `plan` on `conn`, consuming `rows` in order.
async fn send<E, B>(
    conn: &mut B::Conn,
    rows: Vec<E::Create>,
    plan: Vec<Run>,
    load: &Load,
    mut inserted: Option<&mut Vec<bool>>,
) -> Result<(u64, Vec<E>)>
where
    E: Model + OnEveryBackend + Persist<B>,
    B: crate::exec::InnerExec,
    bool: crate::driver::ColumnValue<B>,
{
    let (table, context) = (E::table(), load.context);
    let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
    let (mut count, mut out) = (0u64, Vec::new());
    let mut inputs = rows.into_iter();
    for (columns, run_len, parts) in plan {
        if columns == 0 || load.one_by_one {
            // Every column takes its default, or the keys of one
            // multi-row insert may interleave with other statements'
            // (InnoDB lock mode 2): one row per statement, each
            // reporting its own key.
            for input in inputs.by_ref().take(run_len) {
                let row = super::rows::insert_row::<E>(B::inner(&mut *conn, None), &input).await?;
                count += 1;
                if load.want_rows {
                    out.push(row);
                }
            }
            continue;
        }
        if load.copy && run_len >= COPY_MIN_ROWS {
            // One binary COPY: the fastest load PostgreSQL has.
            let mut rows = crate::driver::CopyRows::default();
            for input in inputs.by_ref().take(run_len) {
                rows.begin_row();
                <E as Persist<B>>::write_create_owned(input, &mut rows)
                    .map_err(|e| bind_error(context, e))?;
                rows.end_row();
            }
            count +=
                statement::copy_in::<B>(&mut *conn, copy_statement(table, columns), rows.finish())
                    .await
                    .map_err(classify)?;
            continue;
        }
        let full = rows_per_statement(B::DIALECT, columns.count_ones() as usize);
        for len in parts {
            let mut args = Args::<B>::default();
            // One allocation for the chunk's values rather than a
            // doubling series of copies as they are added.
            B::reserve_args(&mut args, len * columns.count_ones() as usize);
            let read_back_keys = load.want_rows && !load.returning;
            let mut known = Vec::with_capacity(if read_back_keys { len } else { 0 });
            for input in inputs.by_ref().take(len) {
                let (_, key) =
                    <E as Persist<B>>::write_create_owned(input, &mut super::ArgsSink(&mut args))
                        .map_err(|e| bind_error(context, e))?;
                if read_back_keys {
                    known.push(key);
                }
            }
            // PostgreSQL tells an upsert's inserted rows from updated
            // ones in its `RETURNING`, in input order.
            let report =
                if B::DIALECT == Dialect::Postgres && load.upsert.is_some() && !load.returning {
                    inserted.as_deref_mut()
                } else {
                    None
                };
            let shape = BulkInsert {
                rows: len,
                returning: load.returning,
                upsert: load.upsert,
                inserted: report.is_some(),
            };
            let sql = E::sql().bulk_insert(B::DIALECT, table, columns, shape, len == full);
            if let Some(flags) = report {
                let fetched = statement::fetch_all::<B>(&mut *conn, sql, args)
                    .await
                    .map_err(classify)?;
                for row in &fetched {
                    flags.push(B::get(row, 0).map_err(classify)?);
                }
                count += fetched.len() as u64;
                continue;
            }
            if load.returning {
                let fetched = statement::fetch_all::<B>(&mut *conn, sql, args)
                    .await
                    .map_err(classify)?;
                for row in &fetched {
                    out.push(<E as Persist<B>>::decode(row).map_err(classify)?);
                }
                count += fetched.len() as u64;
                continue;
            }
            let done = statement::execute::<B>(&mut *conn, sql, args)
                .await
                .map_err(classify)?;
            count += if load.upsert.is_some() {
                len as u64
            } else {
                done.rows_affected
            };
            if load.want_rows {
                // MySQL: no RETURNING. Rows whose keys are known are
                // read back by key; auto-increment keys are consecutive
                // from the first id a multi-row insert reports.
                let keys: Option<Vec<E::Key>> = known.into_iter().collect();
                let keys = match keys {
                    Some(keys) => keys,
                    None => {
                        let first = done.last_insert_id.unwrap_or(0);
                        (first..first + len as u64)
                            .map(E::key_from_insert_id)
                            .collect::<Option<Vec<_>>>()
                            .ok_or_else(|| Error::Usage {
                                context,
                                reason: "the database reported no keys for the new rows".into(),
                            })?
                    }
                };
                out.extend(read_back::<E>(B::inner(&mut *conn, None), &keys, context).await?);
            }
        }
    }
    Ok((count, out))
}

/// The rows with `keys`, in that order. They are fetched in key order and
/// handed out in input order; a key the server stores differently from the
/// input (a time rounded to microseconds) is looked up by itself, the
/// server comparing it as it stored it.
async fn read_back<E: Model + OnEveryBackend>(
    mut exec: Exec<'_>,
    keys: &[E::Key],
    context: Context,
) -> Result<Vec<E>> {
    let found = Query::<E>::new()
        .filter(E::key_filter(keys))
        .fetch(exec.reborrow(), context)
        .await?;
    let mut by_key: std::collections::HashMap<String, E> = found
        .into_iter()
        .map(|row| (format!("{:?}", row.key()), row))
        .collect();
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let row = match by_key.remove(&format!("{key:?}")) {
            Some(row) => row,
            None => Query::<E>::new()
                .filter(E::key_filter(std::slice::from_ref(key)))
                .fetch(exec.reborrow(), context)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| Error::Database {
                    context,
                    source: sqlx::Error::Protocol(format!(
                        "the inserted row {key:?} could not be read back"
                    )),
                })?,
        };
        out.push(row);
    }
    Ok(out)
}

/// `run` cut into statements of at most `rows` rows and, with a `budget`,
/// at most about that many bytes of values (a row alone may exceed it).
fn chunks<E: Model + Persist<B>, B: crate::driver::Backend>(
    run: &[E::Create],
    rows: usize,
    budget: Option<usize>,
) -> Vec<&[E::Create]> {
    let Some(budget) = budget else {
        return run.chunks(rows.max(1)).collect();
    };
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, input) in run.iter().enumerate() {
        let size = encoded_size::<E, B>(input);
        if i > start && (i - start == rows || bytes + size > budget) {
            out.push(&run[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < run.len() {
        out.push(&run[start..]);
    }
    out
}

/// Adds up the encoded sizes of a row's values, plus a little for each
/// value's framing.
pub(super) struct SizeHint(pub(super) usize);

impl<B: crate::driver::Backend> super::ValueSink<B> for SizeHint {
    fn value<T: crate::driver::ColumnValue<B>>(
        &mut self,
        value: &T,
    ) -> std::result::Result<(), super::BindError> {
        self.0 += value.encoded_len() + 9;
        Ok(())
    }
}

/// `COPY <table> (<columns>) FROM STDIN (FORMAT binary)`.
fn copy_statement(table: &crate::meta::TableMeta, columns: ColumnSet) -> String {
    let mut sql = String::from("COPY ");
    sql.push_str(&crate::schema::ddl::table_ident(Dialect::Postgres, table));
    sql.push_str(" (");
    let mut first = true;
    for (i, column) in table.columns.iter().enumerate() {
        if columns & (1u128 << i) != 0 {
            if !first {
                sql.push_str(", ");
            }
            first = false;
            Dialect::Postgres.quote_ident(&mut sql, column.name);
        }
    }
    sql.push_str(") FROM STDIN (FORMAT binary)");
    sql
}
