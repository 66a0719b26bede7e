//! Changes with hooks or an audit log: each runs in its own transaction (a
//! savepoint inside the caller's), with the hooks around it and the audit
//! record written next to it, so all of it commits or none does. Entities
//! with neither take the plain paths in `ops` and `delete`.

use crate::driver::statement;
use validator::Validate;

use super::Hooks;
use super::change::in_change;
use super::delete::{self, Removal};
use super::outcome::{UpsertOutcome, Upserted};
use super::rows::{column_set, insert_row, update_row, upsert_row};
use super::{Model, OnEveryBackend, Persist, context};
use crate::audit::{self, Act, Change, changes, full};
use crate::driver::{Args, Backend as _};
use crate::error::bind_error;
use crate::error::{Context, Error, Result};
use crate::exec::InnerExec as _;
use crate::exec::{Exec, with_conn};

/// Whether `E` has neither hooks nor an audit log.
pub(crate) fn is_plain<E: Model>() -> bool {
    !E::HOOKS && !E::table().audited
}

/// Writes the audit record of a change to the row with `key` of `E`, on
/// `exec` (the change's connection, which carries its audit context).
async fn log<E: Model>(
    exec: Exec<'_>,
    context: Context,
    act: Act,
    key: &E::Key,
    values: (Option<serde_json::Value>, Option<serde_json::Value>),
) -> Result<()> {
    let change = Change {
        act,
        resource: E::table().qualified_name(),
        key: E::audit_key(key),
        old: values.0,
        new: values.1,
        context: exec.audit_context(),
    };
    audit::write(exec, context, change).await
}

/// Empty old and new values: a change none of whose shown fields differ.
fn no_values() -> (serde_json::Value, serde_json::Value) {
    (serde_json::json!({}), serde_json::json!({}))
}

/// The row with `key` as it is now, live or not, locked for the change
/// where the dialect locks rows.
async fn locked<E: Model + OnEveryBackend>(
    exec: Exec<'_>,
    key: &E::Key,
    context: Context,
) -> Result<Option<E>> {
    let table = E::table();
    with_conn!(exec, context, B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        let mut args = Args::<B>::default();
        <E as Persist<B>>::bind_key(key, &mut args).map_err(|e| bind_error(context, e))?;
        let sql = E::sql().fixed(B::DIALECT, table).lock_by_key.clone();
        let row = statement::fetch_optional::<B>(&mut *conn, sql, args).await.map_err(classify)?;
        row.map(|row| <E as Persist<B>>::decode(&row).map_err(classify)).transpose()
    })
}

/// `create` with hooks and audit.
pub(crate) async fn create<E: Model + OnEveryBackend + Hooks>(
    exec: Exec<'_>,
    mut input: E::Create,
) -> Result<E> {
    let context = context::<E>("create");
    let table = E::table();
    let audit = exec.audit_context();
    with_conn!(exec, context, B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        in_change!(B, conn, classify, tx => {
            if E::HOOKS {
                E::before_create(B::inner(&mut tx, audit.clone()), &mut input).await.map_err(|e| e.in_hook(context))?;
                input.validate().map_err(|errors| Error::Validation { context, errors })?;
            }
            let row = insert_row::<E>(B::inner(&mut tx, audit.clone()), &input).await?;
            if table.audited {
                let values = (None, Some(full(&row.audit_fields())));
                log::<E>(B::inner(&mut tx, audit.clone()), context, Act::Create, &row.key(), values).await?;
            }
            if E::HOOKS {
                E::after_create(B::inner(&mut tx, audit.clone()), &row).await.map_err(|e| e.in_hook(context))?;
            }
            Ok(row)
        })
    })
}

/// `update` with hooks and audit (the changed fields only).
pub(crate) async fn update<E: Model + OnEveryBackend + Hooks>(
    exec: Exec<'_>,
    key: E::Key,
    mut patch: E::Update,
) -> Result<E> {
    let context = context::<E>("update");
    let table = E::table();
    let audit = exec.audit_context();
    with_conn!(exec, context, B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        in_change!(B, conn, classify, tx => {
            if E::HOOKS {
                E::before_update(B::inner(&mut tx, audit.clone()), &key, &mut patch).await.map_err(|e| e.in_hook(context))?;
                patch.validate().map_err(|errors| Error::Validation { context, errors })?;
            }
            let old = if table.audited {
                locked::<E>(B::inner(&mut tx, None), &key, context).await?
            } else {
                None
            };
            let row = update_row::<E>(B::inner(&mut tx, audit.clone()), &key, &patch).await?;
            // Logged whenever a statement wrote the row, even when no shown
            // field differs (only `audit(skip)` fields changed, say): the values
            // are then empty, the act and its actor are still on record.
            let wrote = !E::update_is_empty(&patch) || E::expected_version(&patch).is_some();
            if let (Some(old), true) = (old, wrote) {
                let values = changes(&old.audit_fields(), &row.audit_fields()).unwrap_or_else(no_values);
                log::<E>(B::inner(&mut tx, audit.clone()), context, Act::Update, &key, (Some(values.0), Some(values.1))).await?;
            }
            if E::HOOKS {
                E::after_update(B::inner(&mut tx, audit.clone()), &row).await.map_err(|e| e.in_hook(context))?;
            }
            Ok(row)
        })
    })
}

/// `upsert` with audit: a create or an update (changed fields) by what it
/// did, as the upsert reports it. Upserts run no hooks.
pub(crate) async fn upsert<E: Model + OnEveryBackend + Hooks>(
    exec: Exec<'_>,
    input: &E::Create,
    target: &[&'static str],
) -> Result<Upserted<E>> {
    let context = context::<E>("upsert");
    let table = E::table();
    let audit = exec.audit_context();
    let set = column_set(table, target);
    with_conn!(exec, context, B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        in_change!(B, conn, classify, tx => {
            // The row the upsert would overwrite, when the input names it.
            let mut old = None;
            if let Some(set) = set {
                let mut args = Args::<B>::default();
                <E as Persist<B>>::bind_create_columns(input, set, &mut args).map_err(|e| bind_error(context, e))?;
                if B::args_len(&args) == set.count_ones() as usize {
                    // Not locked: on MySQL a locking read of an absent row takes
                    // a gap lock, and two upserts into one gap deadlock. A
                    // change by another writer in between shows in the diff.
                    // A `unique_live` target matches live rows only; any other
                    // target matches a soft-deleted row too, which the upsert
                    // makes live again.
                    let live = table.indexes.iter().any(|i| i.live && column_set(table, i.columns) == Some(set));
                    let sql = if live {
                        E::sql().select_by(B::DIALECT, table, set)
                    } else {
                        E::sql().select_by_any(B::DIALECT, table, set)
                    };
                    let row = statement::fetch_optional::<B>(&mut *tx, sql, args).await.map_err(classify)?;
                    old = row.map(|row| <E as Persist<B>>::decode(&row).map_err(classify)).transpose()?;
                }
            }
            let (row, outcome) = upsert_row::<E>(B::inner(&mut tx, audit.clone()), input, target, true).await?;
            let key = row.key();
            let old = old.filter(|old| E::audit_key(&old.key()) == E::audit_key(&key));
            // What the statement did, not what the read before suggests: a
            // row another writer inserted in between was updated.
            let outcome = outcome.unwrap_or(UpsertOutcome::from_inserted(old.is_none()));
            let logged = match (outcome, old) {
                (UpsertOutcome::Inserted, _) => Some((Act::Create, None, Some(full(&row.audit_fields())))),
                (UpsertOutcome::Updated, Some(old)) => changes(&old.audit_fields(), &row.audit_fields())
                    .map(|(before, after)| (Act::Update, Some(before), Some(after))),
                (UpsertOutcome::Updated, None) => Some((Act::Update, None, Some(full(&row.audit_fields())))),
            };
            if let Some((act, before, after)) = logged {
                log::<E>(B::inner(&mut tx, audit.clone()), context, act, &key, (before, after)).await?;
            }
            Ok(Upserted { row, outcome })
        })
    })
}

/// `delete`, `delete_version`, `force_delete` and `restore`, with hooks
/// (not on restore) and audit.
pub(crate) async fn remove<E: Model + OnEveryBackend + Hooks>(
    exec: Exec<'_>,
    key: E::Key,
    version: Option<i64>,
    removal: Removal,
) -> Result<bool> {
    if is_plain::<E>() {
        return delete::remove::<E>(exec, &key, version, removal).await;
    }
    let context = context::<E>(removal.operation(version.is_some()));
    let table = E::table();
    delete::check_removal(table, removal, version, context)?;
    let audit = exec.audit_context();
    let hooks = E::HOOKS && removal != Removal::Restore;
    with_conn!(exec, context, B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        in_change!(B, conn, classify, tx => {
            if hooks {
                E::before_delete(B::inner(&mut tx, audit.clone()), &key).await.map_err(|e| e.in_hook(context))?;
            }
            let old = if table.audited {
                locked::<E>(B::inner(&mut tx, None), &key, context).await?
            } else {
                None
            };
            let changed = delete::remove::<E>(B::inner(&mut tx, audit.clone()), &key, version, removal).await?;
            if let (true, Some(old)) = (changed, old) {
                let soft = table.soft_delete.is_some() && removal != Removal::Purge;
                let logged = if soft {
                    let new = locked::<E>(B::inner(&mut tx, None), &key, context).await?;
                    let act = if removal == Removal::Restore { Act::Restore } else { Act::SoftDelete };
                    new.map(|new| {
                        let (before, after) = changes(&old.audit_fields(), &new.audit_fields()).unwrap_or_else(no_values);
                        (act, Some(before), Some(after))
                    })
                } else {
                    Some((Act::Delete, Some(full(&old.audit_fields())), None))
                };
                if let Some((act, before, after)) = logged {
                    log::<E>(B::inner(&mut tx, audit.clone()), context, act, &key, (before, after)).await?;
                }
            }
            if hooks && changed {
                E::after_delete(B::inner(&mut tx, audit.clone()), &key).await.map_err(|e| e.in_hook(context))?;
            }
            Ok(changed)
        })
    })
}
