//! What an upsert did to each row: inserted it or updated an existing one.
//!
//! PostgreSQL tells from the row itself (`xmax = 0` on a row the statement
//! inserted, in its `RETURNING`). MySQL's affected-row count says 2 for an
//! update that changed something but 1 both for an insert and for an
//! update that changed nothing (sqlx connects with `CLIENT_FOUND_ROWS`),
//! and SQLite's `changes()` is 1 either way: there the rows are read first,
//! in the upsert's transaction ([`existing`]).

use crate::driver::statement;

use super::{ColumnSet, Model, OnEveryBackend, Persist};
use crate::driver::{Args, Backend as _};
use crate::error::bind_error;
use crate::error::{Context, Error, Result};
use crate::exec::{Exec, with_conn};
use crate::meta::Generated;

/// What an upsert did to one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UpsertOutcome {
    /// No row had the target's values: the input was inserted.
    Inserted,
    /// A row had them and was overwritten (also when no value changed, and
    /// when the row was soft-deleted and is live again).
    Updated,
}

impl UpsertOutcome {
    /// Whether the row was inserted.
    pub fn inserted(self) -> bool {
        self == UpsertOutcome::Inserted
    }

    pub(crate) fn from_inserted(inserted: bool) -> UpsertOutcome {
        if inserted {
            UpsertOutcome::Inserted
        } else {
            UpsertOutcome::Updated
        }
    }
}

/// The row an upsert wrote, as stored, and what it did
/// ([`Repo::upsert_outcome`](super::Repo::upsert_outcome)).
#[derive(Clone, Debug, PartialEq)]
pub struct Upserted<T> {
    /// The row as stored.
    pub row: T,
    /// Whether it was inserted or updated.
    pub outcome: UpsertOutcome,
}

/// The most rows one existence check reads: SQLite allows 500 terms in a
/// compound `SELECT`.
const ROWS_PER_CHECK: usize = 500;

/// For each of `inputs`, whether a row holds its `target` values already:
/// the rows an upsert on `target` would update. Run in the upsert's
/// transaction, before it. One statement per 500 rows
/// ([`SqlCache::existing`](super::SqlCache)).
pub(crate) async fn existing<E: Model + OnEveryBackend>(
    exec: Exec<'_>,
    inputs: Vec<&E::Create>,
    target: ColumnSet,
    context: Context,
) -> Result<Vec<bool>> {
    let table = E::table();
    let mut found = vec![false; inputs.len()];
    // A key entable generates (`uuid_v4`) is new on every insert: no row
    // can hold it.
    let fresh = table
        .columns
        .iter()
        .enumerate()
        .any(|(i, c)| target & (1u128 << i) != 0 && c.generated == Some(Generated::UuidV4));
    if fresh || found.is_empty() {
        return Ok(found);
    }
    let per_row = target.count_ones() as usize;
    with_conn!(exec, context, B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        let full = ROWS_PER_CHECK.min(B::DIALECT.bind_limit() / per_row.max(1)).max(1);
        for (chunk, rows) in inputs.chunks(full).enumerate() {
            let mut args = Args::<B>::default();
            for input in rows {
                <E as Persist<B>>::bind_create_columns(input, target, &mut args)
                    .map_err(|e| bind_error(context, e))?;
            }
            let sql = E::sql().existing(B::DIALECT, table, target, rows.len(), rows.len() == full);
            let hits = statement::fetch_all::<B>(&mut *conn, sql, args).await.map_err(classify)?;
            for hit in &hits {
                let i: i64 = B::get(hit, 0).map_err(classify)?;
                if let Some(slot) = usize::try_from(i).ok().and_then(|i| found.get_mut(chunk * full + i)) {
                    *slot = true;
                }
            }
        }
        Ok(found)
    })
}
