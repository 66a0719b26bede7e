//! Bulk operations as the repository offers them: `bulk_insert`,
//! batch-commit inserts and `bulk_upsert`, atomic unless batch-commit mode
//! is asked for; the audited ones in chunks (`bulk_chunked`).

use super::bulk_chunked::{AUDITED_CHUNK, insert_atomic};
use super::bulk_insert::{insert_rows, validate_rows};
use super::change::in_change;
use super::outcome::UpsertOutcome;
use super::{Model, OnEveryBackend, context};
use crate::backend::Dialect;
use crate::driver::Backend as _;
use crate::error::{Error, Result};
use crate::exec::InnerExec as _;
use crate::exec::{Exec, with_conn};

/// `bulk_create` / `bulk_insert`: all rows or none.
pub(crate) async fn create<E: Model + OnEveryBackend>(
    exec: Exec<'_>,
    rows: Vec<E::Create>,
    want_rows: bool,
) -> Result<(u64, Vec<E>)> {
    let context = context::<E>(if want_rows {
        "bulk_create"
    } else {
        "bulk_insert"
    });
    validate_rows(&rows, context)?;
    if rows.is_empty() {
        return Ok((0, Vec::new()));
    }
    if !E::table().audited {
        // One statement alone, or a transaction around several.
        return insert_rows::<E>(exec, rows, want_rows, None, None, true, context).await;
    }
    // Audited: in chunks, each with its records (see `insert_atomic`).
    insert_atomic::<E, _>(
        exec,
        rows.into_iter(),
        want_rows,
        false,
        AUDITED_CHUNK,
        context,
    )
    .await
}

/// `bulk_insert_batched`: one transaction per `batch` rows.
pub(crate) async fn create_batched<E: Model + OnEveryBackend>(
    mut exec: Exec<'_>,
    rows: Vec<E::Create>,
    batch: usize,
) -> Result<u64> {
    let context = context::<E>("bulk_insert_batched");
    validate_rows(&rows, context)?;
    if matches!(exec, Exec::Tx(_) | Exec::Inner(_)) {
        return Err(Error::Usage {
            context,
            reason: "batch-commit mode commits as it goes, which a surrounding transaction cannot: call it on `&db` or `&mut conn`".into(),
        });
    }
    let mut committed = 0;
    let mut rest = rows;
    while !rest.is_empty() {
        let tail = rest.split_off(batch.clamp(1, rest.len()));
        let part = std::mem::replace(&mut rest, tail);
        let chunk = if E::table().audited {
            AUDITED_CHUNK
        } else {
            usize::MAX
        };
        match insert_atomic::<E, _>(
            exec.reborrow(),
            part.into_iter(),
            false,
            false,
            chunk,
            context,
        )
        .await
        {
            Ok((count, _)) => committed += count,
            Err(source) => {
                return Err(Error::PartiallyCommitted {
                    context,
                    committed,
                    source: Box::new(source),
                });
            }
        }
    }
    Ok(committed)
}

/// `bulk_upsert`: multi-row upserts, all or none. Audited or hooked
/// entities go row by row, so that each change is logged as what it did.
/// With `report`, what each row's upsert did, in input order (see
/// [`outcome`](super::outcome)).
pub(crate) async fn upsert<E: Model + OnEveryBackend + crate::repo::Hooks>(
    exec: Exec<'_>,
    rows: Vec<E::Create>,
    target: Vec<&'static str>,
    report: bool,
) -> Result<(u64, Vec<UpsertOutcome>)> {
    let context = context::<E>("bulk_upsert");
    validate_rows(&rows, context)?;
    let table = E::table();
    let set = super::rows::upsert_target(table, &target, context)?;
    // As `upsert`: a target the input leaves to the database (an
    // auto-increment key, a defaulted column not given) can match no row.
    if let Some(row) = rows.iter().position(|r| E::create_columns(r) & set != set) {
        return Err(Error::Usage {
            context,
            reason: format!(
                "row {row} leaves {target:?} to the database, so no existing row can match it"
            ),
        });
    }
    if rows.is_empty() {
        return Ok((0, Vec::new()));
    }
    let len = rows.len();
    with_conn!(exec, context, rows rows.len(), B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        in_change!(B, conn, classify, tx => {
            let mut outcomes = Vec::with_capacity(if report { len } else { 0 });
            if table.audited {
                for input in &rows {
                    let done = super::lifecycle::upsert::<E>(B::inner(&mut tx, None), input, &target).await?;
                    outcomes.push(done.outcome);
                }
                return Ok((len as u64, if report { outcomes } else { Vec::new() }));
            }
            if B::DIALECT == Dialect::MySql {
                // ON DUPLICATE KEY fires on any unique key: only a table
                // whose one unique key is the target upserts by it alone.
                let unique_keys = 1 + table.indexes.iter().filter(|i| i.unique).count();
                if unique_keys > 1 {
                    for input in &rows {
                        let (_, outcome) = super::rows::upsert_row::<E>(B::inner(&mut tx, None), input, &target, report).await?;
                        outcomes.extend(outcome);
                    }
                    return Ok((len as u64, outcomes));
                }
            }
            let mut inserted = Vec::with_capacity(if report { len } else { 0 });
            if report && B::DIALECT != Dialect::Postgres {
                let existed = super::outcome::existing::<E>(B::inner(&mut tx, None), rows.iter().collect(), set, context).await?;
                inserted.extend(existed.into_iter().map(|existed| !existed));
            }
            let flags = (report && B::DIALECT == Dialect::Postgres).then_some(&mut inserted);
            let (count, _) = insert_rows::<E>(B::inner(&mut tx, None), rows, false, Some(set), flags, false, context).await?;
            if report && inserted.len() != len {
                return Err(Error::Database {
                    context,
                    source: sqlx::Error::Protocol(format!("the upsert reported {} of {len} rows", inserted.len())),
                });
            }
            Ok((count, inserted.into_iter().map(UpsertOutcome::from_inserted).collect()))
        })
    })
}
