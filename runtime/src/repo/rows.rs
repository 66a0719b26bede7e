//! The single-row statements every write is made of: insert, update and
//! upsert of one row, on one connection. The repository operations, the
//! hooked and audited paths and the bulk paths all call these.

use crate::driver::{Nested, statement};

use super::change::in_change;
use super::outcome::{UpsertOutcome, existing};
use super::{ColumnSet, Model, OnEveryBackend, Persist, context};
use crate::backend::Dialect;
use crate::driver::{Args, Backend as _};
use crate::error::bind_error;
use crate::error::{Error, Result};
use crate::exec::InnerExec as _;
use crate::exec::{Exec, with_conn};

/// The set of the named columns, if each is a column of the table.
pub(crate) fn column_set(table: &crate::meta::TableMeta, names: &[&str]) -> Option<ColumnSet> {
    names.iter().try_fold(0, |set, name| {
        table
            .columns
            .iter()
            .position(|c| c.name == *name)
            .filter(|i| *i < 128)
            .map(|i| set | (1u128 << i))
    })
}

/// What an insert gives back: the stored row, or (asked for the key only,
/// on MySQL, where the row would take a second statement) its key.
pub(crate) enum Inserted<E: Model> {
    Row(E),
    Key(E::Key),
}

impl<E: Model> Inserted<E> {
    pub(crate) fn key(self) -> E::Key {
        match self {
            Inserted::Row(row) => row.key(),
            Inserted::Key(key) => key,
        }
    }
}

/// Inserts `input` (already validated); returns the stored row.
pub(crate) async fn insert_row<E: Model + OnEveryBackend>(
    exec: Exec<'_>,
    input: &E::Create,
) -> Result<E> {
    match insert::<E>(exec, input, true).await? {
        Inserted::Row(row) => Ok(row),
        // Not reached: asked for the row, `insert` reads it back.
        Inserted::Key(_) => Err(Error::Database {
            context: context::<E>("create"),
            source: sqlx::Error::RowNotFound,
        }),
    }
}

/// Inserts `input` (already validated); returns the stored row, or with
/// `!want_row` on MySQL only its key (no read-back statement).
pub(crate) async fn insert<E: Model + OnEveryBackend>(
    exec: Exec<'_>,
    input: &E::Create,
    want_row: bool,
) -> Result<Inserted<E>> {
    let context = context::<E>("create");
    let table = E::table();
    with_conn!(exec, context, B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        let mut args = Args::<B>::default();
        let (columns, known_key) =
            <E as Persist<B>>::bind_create(input, &mut args).map_err(|e| bind_error(context, e))?;
        let sql = E::sql().insert(B::DIALECT, table, columns);
        if B::DIALECT.has_returning() {
            let row = statement::fetch_one::<B>(&mut *conn, sql, args).await.map_err(classify)?;
            return <E as Persist<B>>::decode(&row).map(Inserted::Row).map_err(classify);
        }
        let result = statement::execute::<B>(&mut *conn, sql, args).await.map_err(classify)?;
        let key = known_key
            .or_else(|| result.last_insert_id.and_then(E::key_from_insert_id))
            .ok_or_else(|| Error::Database {
                context,
                source: sqlx::Error::Protocol("the database reported no key for the new row".into()),
            })?;
        if !want_row {
            return Ok(Inserted::Key(key));
        }
        let mut args = Args::<B>::default();
        <E as Persist<B>>::bind_key(&key, &mut args).map_err(|e| bind_error(context, e))?;
        let sql = E::sql().fixed(B::DIALECT, table).select_by_key.clone();
        let row = statement::fetch_one::<B>(&mut *conn, sql, args).await.map_err(classify)?;
        <E as Persist<B>>::decode(&row).map(Inserted::Row).map_err(classify)
    })
}

/// Writes `patch` (already validated) to the row with `key`; returns the
/// stored row.
pub(crate) async fn update_row<E: Model + OnEveryBackend>(
    exec: Exec<'_>,
    key: &E::Key,
    patch: &E::Update,
) -> Result<E> {
    let context = context::<E>("update");
    let table = E::table();
    let not_found = || Error::NotFound {
        context,
        key: format!("{key:?}"),
    };
    with_conn!(exec, context, B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        let fetch = E::sql().fixed(B::DIALECT, table).select_by_key.clone();
        let mut key_args = Args::<B>::default();
        <E as Persist<B>>::bind_key(key, &mut key_args).map_err(|e| bind_error(context, e))?;
        let expected = E::expected_version(patch);
        if expected.is_none() && E::update_is_empty(patch) {
            // Nothing to write: touch nothing, report the row as it is.
            let row = statement::fetch_optional::<B>(&mut *conn, fetch, key_args).await.map_err(classify)?;
            return row.map(|row| <E as Persist<B>>::decode(&row).map_err(classify)).transpose()?.ok_or_else(not_found);
        }
        let mut args = Args::<B>::default();
        let columns = <E as Persist<B>>::bind_update(patch, &mut args).map_err(|e| bind_error(context, e))?;
        <E as Persist<B>>::bind_key(key, &mut args).map_err(|e| bind_error(context, e))?;
        if let Some(version) = expected {
            B::bind_i64(&mut args, version).map_err(|e| bind_error(context, e))?;
        }
        let sql = E::sql().update(B::DIALECT, table, columns);
        let row = if B::DIALECT.has_returning() {
            statement::fetch_optional::<B>(&mut *conn, sql, args).await.map_err(classify)?
        } else {
            let written = statement::execute::<B>(&mut *conn, sql, args).await.map_err(classify)?;
            // A versioned update always changes the row, so no
            // row affected means no row matched.
            if expected.is_some() && written.rows_affected == 0 {
                None
            } else {
                statement::fetch_optional::<B>(&mut *conn, fetch.clone(), key_args).await.map_err(classify)?
            }
        };
        if let Some(row) = row {
            return <E as Persist<B>>::decode(&row).map_err(classify);
        }
        if expected.is_none() {
            return Err(not_found());
        }
        // Missing, or there with another version: tell them apart.
        let mut key_args = Args::<B>::default();
        <E as Persist<B>>::bind_key(key, &mut key_args).map_err(|e| bind_error(context, e))?;
        let current = statement::fetch_optional::<B>(&mut *conn, fetch, key_args).await.map_err(classify)?;
        Err(match current {
            Some(_) => Error::Conflict { context, key: format!("{key:?}") },
            None => not_found(),
        })
    })
}

/// The columns `names` as an upsert target: the primary key or a unique
/// key of `table` (compared as sets, so a repeated column cannot pass for a
/// two-column key).
pub(crate) fn upsert_target(
    table: &crate::meta::TableMeta,
    names: &[&'static str],
    context: crate::error::Context,
) -> Result<ColumnSet> {
    let usage = |reason: String| Error::Usage { context, reason };
    let target = column_set(table, names)
        .ok_or_else(|| usage(format!("{names:?} are not columns of {}", table.name)))?;
    let is_key = column_set(table, table.primary_key) == Some(target);
    let is_unique = table
        .indexes
        .iter()
        .any(|i| i.unique && column_set(table, i.columns) == Some(target));
    if !is_key && !is_unique {
        return Err(usage(format!(
            "{names:?} is neither the primary key nor a unique key of {}",
            table.name
        )));
    }
    Ok(target)
}

/// Inserts `input` (already validated) or overwrites the row matching it
/// on the `target` columns; returns the stored row and, on PostgreSQL or
/// when `report`, whether it was inserted or updated (see
/// [`outcome`](super::outcome): SQLite and MySQL read first for it).
pub(crate) async fn upsert_row<E: Model + OnEveryBackend>(
    exec: Exec<'_>,
    input: &E::Create,
    target: &[&'static str],
    report: bool,
) -> Result<(E, Option<UpsertOutcome>)> {
    let context = context::<E>("upsert");
    let table = E::table();
    let usage = |reason: String| Error::Usage { context, reason };
    let names = target;
    let target = upsert_target(table, names, context)?;
    let is_key = column_set(table, table.primary_key) == Some(target);
    with_conn!(exec, context, B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        let mut args = Args::<B>::default();
        let (columns, known_key) =
            <E as Persist<B>>::bind_create(input, &mut args).map_err(|e| bind_error(context, e))?;
        if columns & target != target && !(is_key && known_key.is_some()) {
            return Err(usage(format!("the input leaves {names:?} to the database, so no existing row can match it")));
        }
        let sql = E::sql().upsert(B::DIALECT, table, columns, target);
        if B::DIALECT == Dialect::Postgres {
            let row = statement::fetch_one::<B>(&mut *conn, sql, args).await.map_err(classify)?;
            let inserted: bool = B::get(&row, table.columns.len()).map_err(classify)?;
            let entity = <E as Persist<B>>::decode(&row).map_err(classify)?;
            return Ok((entity, Some(UpsertOutcome::from_inserted(inserted))));
        }
        if B::DIALECT.has_returning() {
            if !report {
                let row = statement::fetch_one::<B>(&mut *conn, sql, args).await.map_err(classify)?;
                return Ok((<E as Persist<B>>::decode(&row).map_err(classify)?, None));
            }
            // SQLite: the read and the write in one transaction, which
            // holds the write lock from its start.
            return in_change!(B, conn, classify, tx => {
                let existed = existing::<E>(B::inner(&mut tx, None), vec![input], target, context).await?;
                let row = statement::fetch_one::<B>(&mut *tx, sql, args).await.map_err(classify)?;
                let outcome = UpsertOutcome::from_inserted(!existed.first().copied().unwrap_or(false));
                Ok((<E as Persist<B>>::decode(&row).map_err(classify)?, Some(outcome)))
            });
        }
        // `ON DUPLICATE KEY` fires on any unique key, not only the
        // target. Inside a transaction (a savepoint within one), a
        // row matched by another key is undone before it is reported.
        let mut tx = Nested::<B>::begin(&mut *conn, None).await.map_err(classify)?;
        let existed = if report {
            let found = existing::<E>(B::inner(&mut tx, None), vec![input], target, context).await?;
            Some(found.first().copied().unwrap_or(false))
        } else {
            None
        };
        let written = statement::execute::<B>(&mut *tx, sql, args).await.map_err(classify)?;
        // 2: an update that changed the row; 1: an insert, or an update
        // that changed nothing (sqlx sets `CLIENT_FOUND_ROWS`), told apart
        // by the read before.
        let outcome = existed.map(|existed| UpsertOutcome::from_inserted(!existed && written.rows_affected != 2));
        // Read back the row inserted or updated: by the key when the
        // input carries it (a generated UUID, say), else by the
        // target's values.
        let mut args = Args::<B>::default();
        let sql = match &known_key {
            Some(key) if is_key => {
                <E as Persist<B>>::bind_key(key, &mut args).map_err(|e| bind_error(context, e))?;
                E::sql().fixed(B::DIALECT, table).select_by_key.clone()
            }
            _ => {
                <E as Persist<B>>::bind_create_columns(input, target, &mut args).map_err(|e| bind_error(context, e))?;
                E::sql().select_by(B::DIALECT, table, target)
            }
        };
        let row = statement::fetch_optional::<B>(&mut *tx, sql, args).await.map_err(classify)?;
        let Some(row) = row else {
            // PostgreSQL and SQLite refuse this case with a unique
            // violation; so does this path, after undoing the update.
            tx.rollback().await.map_err(classify)?;
            return Err(Error::UniqueViolation { context, constraint: None, source: sqlx::Error::RowNotFound });
        };
        let entity = <E as Persist<B>>::decode(&row).map_err(classify)?;
        // The target's row is there, but the statement may have hit
        // another unique key first and changed that row instead: any
        // other unique key of the input held by a different row means so.
        let key_text = format!("{:?}", entity.key());
        let others = std::iter::once(table.primary_key)
            .chain(table.indexes.iter().filter(|i| i.unique).map(|i| i.columns))
            .filter_map(|names| column_set(table, names))
            .filter(|set| *set != target && columns & set == *set);
        for set in others {
            let mut args = Args::<B>::default();
            <E as Persist<B>>::bind_create_columns(input, set, &mut args).map_err(|e| bind_error(context, e))?;
            if B::args_len(&args) != set.count_ones() as usize {
                continue;
            }
            let sql = E::sql().select_by(B::DIALECT, table, set);
            let holder = statement::fetch_optional::<B>(&mut *tx, sql, args).await.map_err(classify)?;
            if let Some(holder) = holder {
                let holder = <E as Persist<B>>::decode(&holder).map_err(classify)?;
                if format!("{:?}", holder.key()) != key_text {
                    tx.rollback().await.map_err(classify)?;
                    return Err(Error::UniqueViolation { context, constraint: None, source: sqlx::Error::RowNotFound });
                }
            }
        }
        tx.commit().await.map_err(classify)?;
        Ok((entity, outcome))
    })
}
