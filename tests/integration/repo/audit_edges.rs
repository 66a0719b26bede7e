//! The audit log's edges: concurrent audited writers, changes to skipped
//! fields only, an upsert that revives a soft-deleted row, an upsert whose
//! input matches two rows — on every backend.

use entable::Error;
use entable::audit::{AuditAction, AuditLog};
use entable::backend::Dialect;
use entable::dto::Patch;
use entable::prelude::*;
use serde_json::json;

use crate::support::{TestDb, on_every_backend};

/// Audited, soft-deleting, with a key the caller gives.
#[derive(Entity, Debug, Clone)]
#[entity(audit)]
pub struct Vault {
    #[entity(primary_key, max_length = 20)]
    pub code: String,
    #[entity(unique, max_length = 40)]
    pub email: String,
    pub label: String,
    #[entity(audit(skip))]
    pub secret: String,
    #[entity(deleted_at)]
    pub deleted_at: Option<DateTime<Utc>>,
}

fn vault(code: &str, email: &str, label: &str) -> VaultCreate {
    VaultCreate {
        code: code.into(),
        email: email.into(),
        label: label.into(),
        secret: "s0".into(),
    }
}

type Entry = (
    AuditAction,
    String,
    Option<serde_json::Value>,
    Option<serde_json::Value>,
);

async fn trail(db: &Db) -> Vec<Entry> {
    AuditLog::query()
        .all(db)
        .await
        .expect("log")
        .into_iter()
        .map(|r| (r.action, r.entity_key, r.old_values, r.new_values))
        .collect()
}

/// The test's database, on a file for SQLite: an in-memory database has
/// one connection, so it would see no concurrency at all.
async fn concurrent_db(t: &TestDb, dir: &std::path::Path) -> Db {
    if t.dialect != Dialect::Sqlite {
        return t.db.clone();
    }
    let path = dir.join("concurrent.db");
    Db::connect(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .expect("file database")
}

#[tokio::test]
async fn audited_writers_run_concurrently() {
    on_every_backend("audited_writers_run_concurrently", |t: TestDb| async move {
        let dir = std::env::temp_dir().join(format!("entable-audit-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let db = concurrent_db(&t, &dir).await;
        Schema::of([Vault::table()])
            .expect("schema")
            .create_all(&db)
            .await
            .expect("created");
        let rounds = 5;
        let writers = 8;
        let mut errors = Vec::new();
        for round in 0..rounds {
            // New keys into one gap (MySQL's gap locks), then updates of
            // existing rows (SQLite's lock upgrade).
            let mut handles = Vec::new();
            for i in 0..writers {
                let db = db.clone();
                handles.push(tokio::spawn(async move {
                    let code = format!("r{round}k{i}");
                    let email = format!("{code}@x.io");
                    Vault::upsert(&db, vault(&code, &email, "new"), Vault::CODE).await?;
                    let patch = VaultUpdate {
                        label: Patch::Set(format!("round {round}")),
                        ..Default::default()
                    };
                    Vault::update(&db, code, patch).await.map(|_| ())
                }));
            }
            for handle in handles {
                if let Err(error) = handle.await.expect("join") {
                    errors.push(error.to_string());
                }
            }
        }
        assert!(
            errors.is_empty(),
            "{} failed: {:?}",
            errors.len(),
            errors.first()
        );
        let log = trail(&db).await;
        assert_eq!(log.len(), rounds * writers * 2, "one record per change");
        drop(db);
        let _ = std::fs::remove_dir_all(&dir);
        t
    })
    .await;
}

#[tokio::test]
async fn every_committed_change_has_a_record() {
    on_every_backend(
        "every_committed_change_has_a_record",
        |t: TestDb| async move {
            let db = &t.db;
            Schema::of([Vault::table()])
                .expect("schema")
                .create_all(db)
                .await
                .expect("created");
            Vault::create(db, vault("v1", "v1@x.io", "one"))
                .await
                .expect("create");
            // Only a skipped field changes: the act is logged, no value is.
            let patch = VaultUpdate {
                secret: Patch::Set("rotated".into()),
                ..Default::default()
            };
            Vault::update(db, "v1".to_string(), patch)
                .await
                .expect("update");
            // An upsert on the key revives a soft-deleted row: an update whose
            // old values show it deleted.
            Vault::create(db, vault("v2", "v2@x.io", "two"))
                .await
                .expect("create");
            assert!(Vault::delete(db, "v2".to_string()).await.expect("delete"));
            let revived = Vault::upsert(db, vault("v2", "v2@x.io", "revived"), Vault::CODE)
                .await
                .expect("upsert");
            assert!(revived.deleted_at.is_none());
            let log = trail(db).await;
            assert_eq!(log.len(), 5, "{log:?}");
            assert_eq!(
                (log[1].0, log[1].2.clone(), log[1].3.clone()),
                (AuditAction::Update, Some(json!({})), Some(json!({})))
            );
            assert_eq!(log[3].0, AuditAction::SoftDelete);
            let (action, key, old, new) = &log[4];
            assert_eq!((*action, key.as_str()), (AuditAction::Update, "v2"));
            let old = old.as_ref().expect("old values");
            assert_eq!(old["label"], "two");
            assert!(old["deleted_at"].is_string(), "{old}");
            assert_eq!(
                new.as_ref().map(|n| n["deleted_at"].clone()),
                Some(json!(null))
            );
            t
        },
    )
    .await;
}

#[tokio::test]
async fn an_upsert_matching_two_rows() {
    on_every_backend("an_upsert_matching_two_rows", |t: TestDb| async move {
        let db = &t.db;
        Schema::of([Vault::table()])
            .expect("schema")
            .create_all(db)
            .await
            .expect("created");
        Vault::create(db, vault("a", "a@x.io", "A"))
            .await
            .expect("a");
        Vault::create(db, vault("b", "b@x.io", "B"))
            .await
            .expect("b");
        let before = trail(db).await.len();
        // The target (email) names b, the key names a.
        let result = Vault::upsert(db, vault("a", "b@x.io", "NEW"), Vault::EMAIL).await;
        let labels: Vec<(String, String)> = Vault::query()
            .order_by(Vault::CODE.asc())
            .all(db)
            .await
            .expect("rows")
            .into_iter()
            .map(|v| (v.code, v.label))
            .collect();
        let log = trail(db).await;
        if t.dialect == Dialect::MySql {
            // ON DUPLICATE KEY would take the first key that matches (a):
            // refused, and nothing changed.
            assert!(
                matches!(result, Err(Error::UniqueViolation { .. })),
                "{result:?}"
            );
            assert_eq!(labels, [("a".into(), "A".into()), ("b".into(), "B".into())]);
            assert_eq!(log.len(), before);
        } else {
            // ON CONFLICT (email) updates the target's row, b.
            let row = result.expect("upsert");
            assert_eq!((row.code.as_str(), row.label.as_str()), ("b", "NEW"));
            assert_eq!(
                labels,
                [("a".into(), "A".into()), ("b".into(), "NEW".into())]
            );
            assert_eq!(log.len(), before + 1);
            assert_eq!(
                (log[before].0, log[before].1.as_str()),
                (AuditAction::Update, "b")
            );
        }
        t
    })
    .await;
}

/// Audited, soft-deleting on a flag (true once deleted).
#[derive(Entity, Debug, Clone)]
#[entity(audit)]
pub struct Locker {
    #[entity(primary_key, max_length = 20)]
    pub code: String,
    pub label: String,
    #[entity(deleted_flag)]
    pub is_deleted: bool,
}

#[tokio::test]
async fn a_flag_soft_delete_restore_and_revival_are_logged() {
    on_every_backend(
        "a_flag_soft_delete_restore_and_revival_are_logged",
        |t: TestDb| async move {
            let db = &t.db;
            Schema::of([Locker::table()])
                .expect("schema")
                .create_all(db)
                .await
                .expect("created");
            let input = |label: &str| LockerCreate {
                code: "l1".into(),
                label: label.into(),
            };
            let created = Locker::create(db, input("one")).await.expect("create");
            assert!(!created.is_deleted, "the column default is the live value");
            assert!(Locker::delete(db, "l1".to_string()).await.expect("delete"));
            assert!(
                Locker::restore(db, "l1".to_string())
                    .await
                    .expect("restore")
            );
            assert!(Locker::delete(db, "l1".to_string()).await.expect("delete"));
            // An upsert on the key revives the deleted row.
            let revived = Locker::upsert(db, input("two"), Locker::CODE)
                .await
                .expect("upsert");
            assert!(!revived.is_deleted);
            let log = trail(db).await;
            let acts: Vec<AuditAction> = log.iter().map(|e| e.0).collect();
            assert_eq!(
                acts,
                [
                    AuditAction::Create,
                    AuditAction::SoftDelete,
                    AuditAction::Restore,
                    AuditAction::SoftDelete,
                    AuditAction::Update
                ]
            );
            assert_eq!(
                log[0].3,
                Some(json!({"code": "l1", "label": "one", "is_deleted": false}))
            );
            assert_eq!(
                (log[1].2.clone(), log[1].3.clone()),
                (
                    Some(json!({"is_deleted": false})),
                    Some(json!({"is_deleted": true}))
                )
            );
            assert_eq!(
                (log[2].2.clone(), log[2].3.clone()),
                (
                    Some(json!({"is_deleted": true})),
                    Some(json!({"is_deleted": false}))
                )
            );
            assert_eq!(
                (log[4].2.clone(), log[4].3.clone()),
                (
                    Some(json!({"label": "one", "is_deleted": true})),
                    Some(json!({"label": "two", "is_deleted": false}))
                )
            );
            t
        },
    )
    .await;
}
