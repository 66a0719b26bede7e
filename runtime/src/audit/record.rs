//! The audit log's table, declared as an entity like any other: its DDL,
//! column handles and Search type come from the same derive.

/// What a change did.
#[derive(crate::DbEnum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[db_enum(crate = "crate")]
pub enum AuditAction {
    /// A row was inserted (`create`, or an `upsert` that inserted).
    Create,
    /// A row was changed (`update`, or an `upsert` that overwrote).
    Update,
    /// A row was deleted for real (`delete` without soft delete,
    /// `force_delete`).
    Delete,
    /// A row was soft-deleted (its `deleted_at` set or its flag flipped).
    SoftDelete,
    /// A soft-deleted row was made live again.
    Restore,
}

/// One row of the audit log (table `entable_audit`).
// `comment = ""` throughout: these docs are for rustdoc (links included),
// and the audit table stays as it was before doc comments became comments.
#[derive(crate::Entity, Clone, Debug, PartialEq, serde::Serialize)]
#[entity(crate = "crate", table = "entable_audit", comment = "")]
#[entity(index(resource, entity_key), index(actor_id, at))]
pub struct AuditRecord {
    /// Increasing with every record.
    #[entity(primary_key, auto_increment)]
    #[entity(comment = "")]
    pub id: i64,
    /// When the change was made (the application's clock, UTC).
    #[entity(index)]
    #[entity(comment = "")]
    pub at: chrono::DateTime<chrono::Utc>,
    /// What the change did.
    #[entity(comment = "")]
    pub action: AuditAction,
    /// The changed entity's table (`schema.table` where it has a schema).
    #[entity(max_length = 128)]
    #[entity(comment = "")]
    pub resource: String,
    /// The changed row's key: its text for a single key, a JSON array for
    /// a composite one.
    #[entity(max_length = 512)]
    #[entity(comment = "")]
    pub entity_key: String,
    /// The values before the change: the whole row for a delete, the
    /// changed fields for an update; NULL for a create.
    #[entity(comment = "")]
    pub old_values: Option<serde_json::Value>,
    /// The values after the change: the whole row for a create, the changed
    /// fields for an update; NULL for a delete.
    #[entity(comment = "")]
    pub new_values: Option<serde_json::Value>,
    /// [`AuditContext::actor_id`](crate::AuditContext::actor_id).
    #[entity(max_length = 255)]
    #[entity(comment = "")]
    pub actor_id: Option<String>,
    /// [`AuditContext::session_id`](crate::AuditContext::session_id).
    #[entity(comment = "")]
    pub session_id: Option<String>,
    /// [`AuditContext::correlation_id`](crate::AuditContext::correlation_id).
    #[entity(comment = "")]
    pub correlation_id: Option<String>,
    /// [`AuditContext::ip`](crate::AuditContext::ip).
    #[entity(comment = "")]
    pub ip: Option<String>,
    /// [`AuditContext::user_agent`](crate::AuditContext::user_agent).
    #[entity(comment = "")]
    pub user_agent: Option<String>,
}
