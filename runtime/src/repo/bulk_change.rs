//! Bulk changes to existing rows: `bulk_update`, `bulk_delete`,
//! `bulk_force_delete`, `update_where` and `delete_where`. Each call is one
//! transaction (a savepoint inside the caller's).

use crate::driver::statement;
use validator::Validate;

use super::change::in_change;
use super::{Model, OnEveryBackend, Persist, context};
use crate::driver::{Args, Backend as _};
use crate::error::bind_error;
use crate::error::{Context, Error, Result};
use crate::exec::InnerExec as _;
use crate::exec::{Exec, with_conn};
use crate::query::{Expr, Query};

/// `bulk_update`: each row's patch by its key, in one transaction; hooks
/// and audit as for `update`.
pub(crate) async fn update<E: Model + OnEveryBackend + crate::repo::Hooks>(
    exec: Exec<'_>,
    rows: Vec<(E::Key, E::Update)>,
) -> Result<u64> {
    let context = context::<E>("bulk_update");
    if !E::HOOKS {
        for (row, (_, patch)) in rows.iter().enumerate() {
            patch.validate().map_err(|errors| Error::InvalidRow {
                context,
                row,
                errors,
            })?;
        }
    }
    let table = E::table();
    let audit = exec.audit_context();
    with_conn!(exec, context, rows rows.len(), B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        in_change!(B, conn, classify, tx => {
            let plain = super::lifecycle::is_plain::<E>();
            let count = rows.len() as u64;
            for (key, patch) in rows {
                let done = if plain {
                    super::rows::update_row::<E>(B::inner(&mut tx, None), &key, &patch).await
                } else {
                    super::lifecycle::update::<E>(B::inner(&mut tx, audit.clone()), key, patch).await
                };
                done.map_err(|e| e.in_operation(context))?;
            }
            Ok(count)
        })
    })
}

/// Refuses a change of many rows at once on a versioned entity, where each
/// write must check the version read; `instead` says what to call.
fn refuse_versioned(table: &crate::meta::TableMeta, context: Context, instead: &str) -> Result<()> {
    match table.version {
        Some(column) => Err(Error::Usage {
            context,
            reason: format!("`{}` is versioned (`{column}`): {instead}", table.entity),
        }),
        None => Ok(()),
    }
}

/// The keys of the rows matching `filter` (live ones).
async fn matching_keys<E: Model + OnEveryBackend>(
    exec: Exec<'_>,
    filter: Expr<E>,
    context: Context,
) -> Result<Vec<E::Key>> {
    let rows = Query::<E>::new()
        .filter(filter)
        .fetch(exec, context)
        .await?;
    Ok(rows.iter().map(Model::key).collect())
}

/// `bulk_delete` (`purge` false: soft where declared) and
/// `bulk_force_delete` (`purge` true): by keys, in statements of as many
/// keys as fit, all or none. Audited or hooked entities go row by row.
pub(crate) async fn delete<E: Model + OnEveryBackend + crate::repo::Hooks>(
    exec: Exec<'_>,
    keys: Vec<E::Key>,
    purge: bool,
) -> Result<u64> {
    let context = context::<E>(if purge {
        "bulk_force_delete"
    } else {
        "bulk_delete"
    });
    let table = E::table();
    if !purge {
        refuse_versioned(
            table,
            context,
            "delete its rows with `delete_version`, or purge them with `bulk_force_delete`",
        )?;
    }
    let removal = if purge {
        super::delete::Removal::Purge
    } else {
        super::delete::Removal::Delete
    };
    let audit = exec.audit_context();
    with_conn!(exec, context, rows keys.len(), B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        in_change!(B, conn, classify, tx => {
            let mut count = 0u64;
            if !super::lifecycle::is_plain::<E>() {
                for key in keys {
                    let removed = super::lifecycle::remove::<E>(B::inner(&mut tx, audit.clone()), key, None, removal).await?;
                    count += u64::from(removed);
                }
                return Ok(count);
            }
            let per_key = table.primary_key.len().max(1);
            for chunk in keys.chunks((B::DIALECT.bind_limit().saturating_sub(3) / per_key).max(1)) {
                let query = Query::<E>::new().filter(E::key_filter(chunk));
                count += remove_matching::<E>(B::inner(&mut tx, None), query, purge, context).await?;
            }
            Ok(count)
        })
    })
}

/// One statement removing the rows `query` sees: a soft delete (an
/// `UPDATE` of its soft-delete marker) where the entity has one and `purge` is
/// false, else a `DELETE`. Returns the rows removed.
async fn remove_matching<E: Model + OnEveryBackend>(
    exec: Exec<'_>,
    query: Query<E>,
    purge: bool,
    context: Context,
) -> Result<u64> {
    let table = E::table();
    with_conn!(exec, context, B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        let target = crate::schema::ddl::table_ident(B::DIALECT, table);
        let mut args = Args::<B>::default();
        let (base, query) = match table.soft_delete {
            Some(_) if !purge => {
                <E as Persist<B>>::bind_soft_delete(false, &mut args).map_err(|e| bind_error(context, e))?;
                (E::sql().fixed(B::DIALECT, table).soft_delete_set.to_string(), query)
            }
            _ => (format!("DELETE FROM {target}"), query.with_deleted()),
        };
        let bound = B::args_len(&args);
        let (sql, args) = query.statement_after::<B>(&base, crate::query::builder::Shape::Filter, context, args, bound)?;
        let done = statement::execute::<B>(&mut *conn, sql, args).await.map_err(classify)?;
        Ok(done.rows_affected)
    })
}

/// `update_where`: `patch` on every live row matching `filter`, in one
/// statement (row by row, in one transaction, for audited or hooked
/// entities, so each change has its record and hooks).
pub(crate) async fn update_where<E: Model + OnEveryBackend + crate::repo::Hooks>(
    exec: Exec<'_>,
    filter: Expr<E>,
    patch: E::Update,
) -> Result<u64> {
    let context = context::<E>("update_where");
    let table = E::table();
    refuse_versioned(
        table,
        context,
        "a set-based update would skip the version check; use `bulk_update` with each row's version",
    )?;
    if !E::HOOKS {
        patch
            .validate()
            .map_err(|errors| Error::Validation { context, errors })?;
    }
    if E::update_is_empty(&patch) && table.updated_at.is_none() {
        return Ok(0);
    }
    let audit = exec.audit_context();
    with_conn!(exec, context, B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        in_change!(B, conn, classify, tx => {
            if !super::lifecycle::is_plain::<E>() {
                let keys = matching_keys::<E>(B::inner(&mut tx, None), filter, context).await?;
                let count = keys.len() as u64;
                for key in keys {
                    super::lifecycle::update::<E>(B::inner(&mut tx, audit.clone()), key, patch.clone()).await?;
                }
                return Ok(count);
            }
            let mut args = Args::<B>::default();
            let columns = <E as Persist<B>>::bind_update(&patch, &mut args).map_err(|e| bind_error(context, e))?;
            let mut base = format!("UPDATE {} SET ", crate::schema::ddl::table_ident(B::DIALECT, table));
            let mut n = 0;
            for (i, column) in table.columns.iter().enumerate() {
                if columns & (1u128 << i) != 0 {
                    if n > 0 {
                        base.push_str(", ");
                    }
                    n += 1;
                    B::DIALECT.quote_ident(&mut base, column.name);
                    base.push_str(" = ");
                    B::DIALECT.placeholder(&mut base, n);
                }
            }
            let query = Query::<E>::new().filter(filter);
            let (sql, args) = query.statement_after::<B>(&base, crate::query::builder::Shape::Filter, context, args, n)?;
            let done = statement::execute::<B>(&mut *tx, sql, args).await.map_err(classify)?;
            Ok(done.rows_affected)
        })
    })
}

/// `delete_where`: every live row matching `filter`, soft-deleted where
/// the entity declares it, in one statement (row by row for audited or
/// hooked entities).
pub(crate) async fn delete_where<E: Model + OnEveryBackend + crate::repo::Hooks>(
    exec: Exec<'_>,
    filter: Expr<E>,
) -> Result<u64> {
    let context = context::<E>("delete_where");
    let table = E::table();
    refuse_versioned(table, context, "delete its rows with `delete_version`")?;
    let audit = exec.audit_context();
    with_conn!(exec, context, B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        in_change!(B, conn, classify, tx => {
            if !super::lifecycle::is_plain::<E>() {
                let keys = matching_keys::<E>(B::inner(&mut tx, None), filter, context).await?;
                let mut count = 0;
                for key in keys {
                    let removed = super::lifecycle::remove::<E>(B::inner(&mut tx, audit.clone()), key, None, super::delete::Removal::Delete).await?;
                    count += u64::from(removed);
                }
                return Ok(count);
            }
            remove_matching::<E>(B::inner(&mut tx, None), Query::new().filter(filter), false, context).await
        })
    })
}
