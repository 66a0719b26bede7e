//! Checks on the lifecycle attributes: soft delete (`deleted_at`,
//! `deleted_flag`, `live_flag`, `unique_live`), the audit log (`audit`, `audit(skip|mask)`) and hooks.

use crate::ctxt::Ctxt;
use crate::model::{Entity, Field};

/// The column MySQL's `unique_live` indexes use (the runtime's
/// `schema::LIVE_MARKER`).
const LIVE_MARKER: &str = "entable_live";

pub(crate) fn entity(entity: &Entity, cx: &Ctxt) {
    for (name, extra) in entity.columns().flat_map(Field::soft_delete_attrs).skip(1) {
        cx.error_at(
            extra,
            format!("`{name}`: an entity has one soft-delete marker at most (`deleted_at`, `deleted_flag` or `live_flag`)"),
        );
    }
    let soft = entity.columns().any(Field::is_soft_delete);
    let live_spans = entity
        .columns()
        .filter_map(|f| f.unique_live)
        .chain(entity.composites.iter().filter(|c| c.live).map(|c| c.span));
    let mut live = false;
    for span in live_spans {
        live = true;
        if !soft {
            cx.error_at(
                span,
                "`unique_live` means unique among rows that are not soft-deleted: the entity needs a #[entity(deleted_at)], #[entity(deleted_flag)] or #[entity(live_flag)] field",
            );
        }
    }
    if live && let Some(field) = entity.columns().find(|f| f.column.value == LIVE_MARKER) {
        cx.error_at(
            field.column.span,
            format!("`{LIVE_MARKER}` is the column entable adds on MySQL for `unique_live`: rename this one"),
        );
    }
    if entity.audit.is_none() {
        for field in entity.fields.iter() {
            if let Some(audit) = &field.audit {
                cx.error_at(
                    audit.span,
                    format!(
                        "`audit(…)` on a field has no effect: `{}` is not audited; add #[entity(audit)] on the struct",
                        entity.ident
                    ),
                );
            }
        }
    }
    if let (Some(span), Some(_)) = (entity.audit.or(entity.hooks), entity.dto.disabled) {
        cx.error_at(
            span,
            "`audit` and `hooks` act on the generated repository, which `dto = false` turns off",
        );
    }
    for field in entity.columns() {
        self::field(field, cx);
    }
    if entity.audit.is_some() {
        audit_key_lengths(entity, cx);
    }
}

/// The audit log's `entity_key` column (runtime: `AuditRecord`).
const AUDIT_KEY_LENGTH: u32 = 512;

/// A key whose declared length cannot fit the audit log's key column would
/// make every audited write of a long key fail; refused where it shows.
fn audit_key_lengths(entity: &Entity, cx: &Ctxt) {
    for field in entity.primary_key() {
        if let Some(max) = field
            .max_length
            .as_ref()
            .filter(|m| m.value > AUDIT_KEY_LENGTH)
        {
            cx.error_at(
                max.span,
                format!(
                    "an audited entity's key must fit the audit log's `entity_key` column ({AUDIT_KEY_LENGTH} characters): use `max_length` ≤ {AUDIT_KEY_LENGTH}"
                ),
            );
        }
    }
}

fn field(field: &Field, cx: &Ctxt) {
    if let Some(audit) = &field.audit {
        if field.primary_key.is_some() {
            cx.error_at(
                audit.span,
                "a key field cannot be skipped or masked in the audit log: every record names the row by its key",
            );
        }
        if let Some((name, _)) = field.soft_delete_attrs().next() {
            cx.error_at(
                audit.span,
                format!("`{name}` cannot be skipped or masked in the audit log: it is what soft deletes and restores change"),
            );
        }
    }
    if let (Some(unique), Some(_)) = (field.unique, field.unique_live) {
        cx.error_at(
            unique,
            "a field is `unique` (among all rows) or `unique_live` (among live rows), not both",
        );
    }
    let Some((name, _)) = field.soft_delete_attrs().next() else {
        return;
    };
    if field.deleted_at.is_some() {
        if !field.nullable || !crate::check::is_timestamp_type(field) {
            cx.error_at(
                field.ty_span,
                format!(
                    "`deleted_at` needs an `Option<…>` of {}: NULL while the row is live",
                    crate::check::TIMESTAMP_TYPES
                ),
            );
        }
    } else if field.nullable || field.value_ty.to_string() != "bool" {
        // NULL would be neither live nor deleted: the flag is `NOT NULL`.
        let meaning = if field.deleted_flag.is_some() {
            "true once the row is deleted"
        } else {
            "true while the row is live"
        };
        cx.error_at(
            field.ty_span,
            format!("`{name}` needs a `bool` field (not `Option`): {meaning}"),
        );
    }
    let conflicting = [
        ("primary_key", field.primary_key),
        ("version", field.version),
        ("created_at", field.created_at),
        ("updated_at", field.updated_at),
        ("read_only", field.read_only),
        ("unique", field.unique),
        ("unique_live", field.unique_live),
        ("references", field.references.as_ref().map(|r| r.span)),
        ("default", field.default.as_ref().map(|d| d.span)),
        // A flag is compared with the dialect's boolean literals.
        (
            "sql_type",
            field
                .sql_type
                .as_ref()
                .filter(|_| field.flag_live().is_some())
                .map(|s| s.span),
        ),
        ("create", field.create.as_ref().map(|c| c.span)),
        ("update", field.update.as_ref().map(|c| c.span)),
    ];
    crate::check::refuse_with_managed(cx, name, &conflicting);
}
