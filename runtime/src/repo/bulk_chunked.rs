//! Bulk inserts in chunks inside one transaction: the memory a call holds
//! is bounded by a chunk, not by its input, while the call stays all or
//! nothing (every chunk runs in the same transaction or savepoint).
//!
//! An audited insert holds, for each row, its input, the stored row read
//! back for its generated key, and its audit record: about 1.2 KB a row,
//! 1.2 GB for a million rows when they were all collected first. In chunks
//! of [`AUDITED_CHUNK`] rows that is about 12 MB, whatever the input size.

use super::bulk_insert::{insert_rows, validate_rows_from};
use super::change::in_change;
use super::{Model, OnEveryBackend, context};
use crate::audit::{self, Act, Change, full};
use crate::driver::Backend as _;
use crate::error::{Context, Error, Result};
use crate::exec::InnerExec as _;
use crate::exec::{Exec, with_conn};

/// Rows per chunk of an audited insert: each row's stored copy and audit
/// record are held until the chunk's records are written.
pub(crate) const AUDITED_CHUNK: usize = 10_000;

/// Rows per chunk of an unaudited insert that collects its rows (validation
/// rules, or PostgreSQL's `COPY`). Larger than [`AUDITED_CHUNK`] because
/// each chunk is one `COPY` on PostgreSQL, and each `COPY` waits out the
/// server's delayed ACK (about 40 ms): 10 of them per million rows.
pub(crate) const CHUNK: usize = 100_000;

/// `bulk_insert` from an iterator whose rows must be collected before
/// their statements (validation rules, an audit log, PostgreSQL's `COPY`):
/// collected, validated and inserted [`CHUNK`] (audited:
/// [`AUDITED_CHUNK`]) rows at a time, in one transaction. A row failing
/// validation rolls back the chunks before it, so nothing stays, as when
/// every row was validated first.
pub(crate) async fn insert<E, I>(exec: Exec<'_>, rows: I) -> Result<u64>
where
    E: Model + OnEveryBackend,
    I: Iterator<Item = E::Create> + Send,
{
    let context = context::<E>("bulk_insert");
    let chunk = if E::table().audited {
        AUDITED_CHUNK
    } else {
        CHUNK
    };
    let mut rows = rows.peekable();
    if rows.peek().is_none() {
        return Ok(0);
    }
    Ok(
        insert_atomic::<E, _>(exec, rows, false, true, chunk, context)
            .await?
            .0,
    )
}

/// Inserts `rows` in one transaction (a savepoint inside the caller's),
/// `chunk` rows at a time, each chunk with its audit records; with
/// `validate`, each chunk is validated before its statements (the error
/// names the row's index in the whole input). Returns the count and, when
/// `want_rows`, the stored rows in input order.
pub(crate) async fn insert_atomic<E, I>(
    exec: Exec<'_>,
    rows: I,
    want_rows: bool,
    validate: bool,
    chunk: usize,
    context: Context,
) -> Result<(u64, Vec<E>)>
where
    E: Model + OnEveryBackend,
    I: Iterator<Item = E::Create> + Send,
{
    let table = E::table();
    let audit = exec.audit_context();
    let mut rows = rows;
    // The iterator's own count of what is left, where it knows one.
    let expected = rows.size_hint().0;
    with_conn!(exec, context, rows expected, B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        in_change!(B, conn, classify, tx => {
            let (mut count, mut out, mut first) = (0u64, Vec::new(), 0usize);
            loop {
                let part: Vec<E::Create> = rows.by_ref().take(chunk.max(1)).collect();
                if part.is_empty() {
                    break;
                }
                if validate {
                    validate_rows_from(&part, first, context)?;
                }
                first += part.len();
                let (n, stored) =
                    insert_logged::<E>(B::inner(&mut tx, audit.clone()), part, want_rows, context).await?;
                count += n;
                out.extend(stored);
            }
            Ok((count, out))
        })
    })
}

/// Inserts `rows` on `exec` (inside the call's transaction, carrying its
/// audit context) and writes their audit records when `E` is audited.
async fn insert_logged<E: Model + OnEveryBackend>(
    mut exec: Exec<'_>,
    rows: Vec<E::Create>,
    want_rows: bool,
    context: Context,
) -> Result<(u64, Vec<E>)> {
    let audited = E::table().audited;
    let (count, stored) = insert_rows::<E>(
        exec.reborrow(),
        rows,
        want_rows || audited,
        None,
        None,
        false,
        context,
    )
    .await?;
    if !audited {
        return Ok((count, stored));
    }
    let changes = created::<E>(&stored, &exec);
    // The stored rows were read back for their keys only: freed before the
    // records are written, unless the caller asked for them.
    let stored = if want_rows { stored } else { Vec::new() };
    audit::write_many(exec, context, changes).await?;
    Ok((count, stored))
}

/// The audit changes of `rows`, just created.
fn created<E: Model>(rows: &[E], exec: &Exec<'_>) -> Vec<Change> {
    let context = exec.audit_context();
    rows.iter()
        .map(|row| Change {
            act: Act::Create,
            resource: E::table().qualified_name(),
            key: E::audit_key(&row.key()),
            old: None,
            new: Some(full(&row.audit_fields())),
            context: context.clone(),
        })
        .collect()
}
