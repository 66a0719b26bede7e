//! An entity's generated code on the rusqlite driver, unchanged: the
//! audit log's `AuditRecord` (every kind of column it has) decodes through
//! `Persist<Lite>` from a row sqlx-sqlite wrote, and through
//! `Persist<Sqlite>` from a row Lite wrote.

use chrono::{TimeZone, Utc};

use super::{Lite, LiteArgs};
use crate::Entity as _;
use crate::audit::{AuditAction, AuditRecord};
use crate::backend::Dialect;
use crate::driver::{ColumnValue, Sqlite, bind, statement};
use crate::repo::Persist;

fn record(id: i64, action: AuditAction) -> AuditRecord {
    AuditRecord {
        id,
        at: Utc
            .with_ymd_and_hms(2024, 2, 29, 23, 59, 58)
            .single()
            .expect("date")
            + chrono::Duration::microseconds(123_456),
        action,
        resource: "post".into(),
        entity_key: "[1,\"é\"]".into(),
        old_values: Some(serde_json::json!({"title": "old", "n": [1, 2.5]})),
        new_values: None,
        actor_id: Some("user-1".into()),
        session_id: None,
        correlation_id: Some("c-9".into()),
        ip: None,
        user_agent: Some("agent/1.0".into()),
    }
}

/// Appends every field of `r`, in column order, to `args` of backend `B`.
fn bind_all<B: crate::driver::Backend>(r: &AuditRecord, args: &mut B::Args)
where
    i64: ColumnValue<B>,
    chrono::DateTime<Utc>: ColumnValue<B>,
    AuditAction: ColumnValue<B>,
    String: ColumnValue<B>,
    Option<String>: ColumnValue<B>,
    Option<serde_json::Value>: ColumnValue<B>,
{
    bind::<B, _>(args, &r.id).expect("id");
    bind::<B, _>(args, &r.at).expect("at");
    bind::<B, _>(args, &r.action).expect("action");
    bind::<B, _>(args, &r.resource).expect("resource");
    bind::<B, _>(args, &r.entity_key).expect("key");
    bind::<B, _>(args, &r.old_values).expect("old");
    bind::<B, _>(args, &r.new_values).expect("new");
    for text in [
        &r.actor_id,
        &r.session_id,
        &r.correlation_id,
        &r.ip,
        &r.user_agent,
    ] {
        bind::<B, _>(args, text).expect("text");
    }
}

#[tokio::test]
async fn entity_decodes_on_either_driver() {
    let mut db = super::tests_compat::Shared::new().await;
    let table = AuditRecord::table();
    assert_eq!(table.columns.len(), 12, "bind_all binds every column");
    let ddl = crate::schema::ddl::create_table(Dialect::Sqlite, table, false, &[]);
    statement::execute_script::<Lite>(&mut db.lite, ddl)
        .await
        .expect("create");
    let columns = crate::repo::statements::column_list(Dialect::Sqlite, table);
    let insert = format!(
        "INSERT INTO entable_audit ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    );
    let select = format!("SELECT {columns} FROM entable_audit WHERE id = ?");
    let mut sqlx_conn = db.pool.acquire().await.expect("sqlx connection");

    // Written by sqlx-sqlite, read by the derive's code on Lite.
    let by_sqlx = record(1, AuditAction::SoftDelete);
    let mut args = sqlx::sqlite::SqliteArguments::default();
    bind_all::<Sqlite>(&by_sqlx, &mut args);
    statement::execute::<Sqlite>(&mut sqlx_conn, insert.clone(), args)
        .await
        .expect("sqlx insert");
    let mut key = LiteArgs::default();
    <AuditRecord as Persist<Lite>>::bind_key(&1, &mut key).expect("key");
    let row = statement::fetch_one::<Lite>(&mut db.lite, select.clone(), key)
        .await
        .expect("lite select");
    assert_eq!(
        <AuditRecord as Persist<Lite>>::decode(&row).expect("decode"),
        by_sqlx
    );

    // Written by Lite, read by the derive's code on sqlx-sqlite.
    let by_lite = record(2, AuditAction::Create);
    let mut args = LiteArgs::default();
    bind_all::<Lite>(&by_lite, &mut args);
    statement::execute::<Lite>(&mut db.lite, insert, args)
        .await
        .expect("lite insert");
    let mut key = sqlx::sqlite::SqliteArguments::default();
    <AuditRecord as Persist<Sqlite>>::bind_key(&2, &mut key).expect("key");
    let row = statement::fetch_one::<Sqlite>(&mut sqlx_conn, select, key)
        .await
        .expect("sqlx select");
    assert_eq!(
        <AuditRecord as Persist<Sqlite>>::decode(&row).expect("decode"),
        by_lite
    );
}
