//! The audit log: on entities marked `#[entity(audit)]`, every create,
//! update, delete, soft delete and restore writes one [`AuditRecord`] in the
//! same transaction as the change, so a rolled-back change leaves no record
//! and a committed one always has its record.
//!
//! Who made a change comes from an [`AuditContext`]:
//! - **per request** (task-local): wrap the request's future in
//!   [`AuditContext::scope`], typically in a middleware; every change the
//!   task makes is logged with it;
//! - **per transaction** (explicit): [`Tx::set_audit_context`](crate::Tx::set_audit_context),
//!   which wins over the task's.
//!
//! Without either, records are written with the actor, session,
//! correlation id, IP and user agent left NULL.
//!
//! Updates log the changed fields only, old and new. A field marked
//! `#[entity(audit(skip))]` never appears; one marked `audit(mask)` appears
//! as `"***"` when it changed (its value never reaches the log).
//!
//! The log's table, `entable_audit`, is added to a [`Schema`](crate::schema::Schema)
//! holding an audited entity. [`AuditLog`] reads it and deletes old records.

mod context;
#[cfg(all(feature = "chrono", feature = "json"))]
mod log;
#[cfg(all(feature = "chrono", feature = "json"))]
mod record;
mod value;

pub use context::AuditContext;
#[cfg(all(feature = "chrono", feature = "json"))]
pub use log::{AuditLog, AuditQuery};
#[cfg(all(feature = "chrono", feature = "json"))]
pub use record::{AuditAction, AuditRecord, AuditRecordSearch, AuditRecordSort};
pub use value::{AuditField, AuditValue, key_text};

#[cfg(all(feature = "chrono", feature = "json"))]
pub(crate) use log::{write, write_many};
pub(crate) use value::{changes, full};

/// What a logged change did ([`AuditAction`] where the log exists).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Act {
    Create,
    Update,
    Delete,
    SoftDelete,
    Restore,
}

/// One change to log.
#[derive(Debug)]
#[cfg_attr(not(all(feature = "chrono", feature = "json")), allow(dead_code))]
pub(crate) struct Change {
    pub(crate) act: Act,
    pub(crate) resource: String,
    pub(crate) key: String,
    pub(crate) old: Option<serde_json::Value>,
    pub(crate) new: Option<serde_json::Value>,
    pub(crate) context: Option<std::sync::Arc<AuditContext>>,
}

/// Without the `chrono` and `json` features there is no audit table: an
/// audited entity's changes fail instead of going unlogged.
#[cfg(not(all(feature = "chrono", feature = "json")))]
pub(crate) async fn write(
    exec: crate::Exec<'_>,
    context: crate::Context,
    change: Change,
) -> crate::Result<()> {
    write_many(exec, context, vec![change]).await
}

/// See [`write`].
#[cfg(not(all(feature = "chrono", feature = "json")))]
pub(crate) async fn write_many(
    _exec: crate::Exec<'_>,
    context: crate::Context,
    _changes: Vec<Change>,
) -> crate::Result<()> {
    Err(crate::Error::Usage {
        context,
        reason: "the audit log needs entable's `chrono` and `json` features".into(),
    })
}
