//! Deleting rows: `delete` and `delete_version` (a soft delete on entities
//! with a soft-delete marker), `force_delete` and `restore`.

use crate::driver::statement;

use super::{Model, OnEveryBackend, Persist, context};
use crate::driver::{Args, Backend as _};
use crate::error::bind_error;
use crate::error::{Context, Error, Result};
use crate::exec::{Exec, with_conn};
use crate::meta::TableMeta;

/// What a delete statement does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Removal {
    /// `delete` / `delete_version`: soft where the entity declares it.
    Delete,
    /// `force_delete`: a real `DELETE`, live or soft-deleted.
    Purge,
    /// `restore`: a soft-deleted row made live again.
    Restore,
}

impl Removal {
    pub(crate) fn operation(self, versioned: bool) -> &'static str {
        match (self, versioned) {
            (Removal::Delete, false) => "delete",
            (Removal::Delete, true) => "delete_version",
            (Removal::Purge, _) => "force_delete",
            (Removal::Restore, _) => "restore",
        }
    }
}

/// Refuses calls that do not fit the entity: a plain `delete` on a
/// versioned entity (it would skip the check), `delete_version` on one
/// without a version, `restore` on one without soft delete.
pub(crate) fn check_removal(
    table: &TableMeta,
    removal: Removal,
    version: Option<i64>,
    context: Context,
) -> Result<()> {
    let usage = |reason: String| Err(Error::Usage { context, reason });
    match (removal, table.version, version) {
        (Removal::Delete, Some(column), None) => usage(format!(
            "`{}` is versioned (`{column}`): delete with `delete_version(key, version)`, the version read",
            table.entity
        )),
        (Removal::Delete, None, Some(_)) => usage(format!(
            "`{}` has no `version` field: delete with `delete(key)`",
            table.entity
        )),
        (Removal::Restore, _, _) if table.soft_delete.is_none() => usage(format!(
            "`{}` has no soft-delete field (`deleted_at`, `deleted_flag` or `live_flag`), so no row of it is soft-deleted",
            table.entity
        )),
        _ => Ok(()),
    }
}

/// Runs `removal` on the row with `key` (and, for a versioned delete,
/// `version`) on a connection; `true` when a row changed. A versioned
/// delete that matched nothing while the row is there with another version
/// is a `Conflict`.
pub(crate) async fn remove<E: Model + OnEveryBackend>(
    exec: Exec<'_>,
    key: &E::Key,
    version: Option<i64>,
    removal: Removal,
) -> Result<bool> {
    let context = context::<E>(removal.operation(version.is_some()));
    let table = E::table();
    check_removal(table, removal, version, context)?;
    with_conn!(exec, context, B, conn => {
        let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
        let fixed = E::sql().fixed(B::DIALECT, table);
        let mut args = Args::<B>::default();
        let soft = table.soft_delete.is_some() && removal != Removal::Purge;
        if soft {
            <E as Persist<B>>::bind_soft_delete(removal == Removal::Restore, &mut args)
                .map_err(|e| bind_error(context, e))?;
        }
        <E as Persist<B>>::bind_key(key, &mut args).map_err(|e| bind_error(context, e))?;
        let sql = match removal {
            Removal::Delete => {
                if let Some(version) = version {
                    B::bind_i64(&mut args, version).map_err(|e| bind_error(context, e))?;
                }
                fixed.delete_by_key.clone()
            }
            Removal::Purge => fixed.purge_by_key.clone(),
            Removal::Restore => fixed.restore_by_key.clone(),
        };
        let result = statement::execute::<B>(&mut *conn, sql, args).await.map_err(classify)?;
        if result.rows_affected > 0 || version.is_none() {
            return Ok(result.rows_affected > 0);
        }
        let mut args = Args::<B>::default();
        <E as Persist<B>>::bind_key(key, &mut args).map_err(|e| bind_error(context, e))?;
        let current = statement::fetch_optional::<B>(&mut *conn, fixed.select_by_key.clone(), args).await.map_err(classify)?;
        match current {
            Some(_) => Err(Error::Conflict { context, key: format!("{key:?}") }),
            None => Ok(false),
        }
    })
}
