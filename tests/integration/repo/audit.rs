//! The audit log: one record per committed change, none for rolled-back
//! ones, changed fields only, skipped and masked fields never in the table;
//! the query API and retention — on every backend.

use entable::Error;
use entable::audit::{AuditAction, AuditLog, AuditRecord};
use entable::dto::Patch;
use entable::prelude::*;
use serde_json::json;

use crate::support::{TestDb, on_every_backend};

const PASSWORD: &str = "argon2id$never-in-the-log";
const TOKEN: &str = "tok_live_also_never";

#[derive(Entity, Debug, Clone)]
#[entity(audit)]
pub struct Client {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique_live, max_length = 80)]
    pub email: String,
    pub name: String,
    pub balance: i64,
    #[entity(audit(skip))]
    pub password_hash: String,
    #[entity(audit(mask))]
    pub api_token: Option<String>,
    #[entity(deleted_at)]
    pub deleted_at: Option<DateTime<Utc>>,
}

/// Audited, with a composite key and no soft delete.
#[derive(Entity, Debug, Clone)]
#[entity(audit)]
pub struct Grant {
    #[entity(primary_key, max_length = 20)]
    pub role: String,
    #[entity(primary_key)]
    pub client_id: i64,
    pub level: i32,
}

async fn schema(db: &Db) {
    let schema = Schema::of(vec![Client::table(), Grant::table()]).expect("schema");
    assert!(
        schema.tables().iter().any(|t| t.name == "entable_audit"),
        "the audit table comes with an audited entity"
    );
    schema.create_all(db).await.expect("created");
}

fn client(email: &str) -> ClientCreate {
    ClientCreate {
        email: email.into(),
        name: email.to_uppercase(),
        balance: 0,
        password_hash: PASSWORD.into(),
        api_token: Some(TOKEN.into()),
    }
}

/// `(action, key, actor)` of every record, in order.
async fn trail(db: &Db) -> Vec<(AuditAction, String, Option<String>)> {
    AuditLog::query()
        .all(db)
        .await
        .expect("log")
        .into_iter()
        .map(|r| (r.action, r.entity_key, r.actor_id))
        .collect()
}

#[tokio::test]
async fn audit_rows_equal_the_committed_changes() {
    on_every_backend(
        "audit_rows_equal_the_committed_changes",
        |t: TestDb| async move {
            let db = &t.db;
            schema(db).await;
            let alice = AuditContext::new()
                .actor("alice")
                .session("s-1")
                .correlation("req-1")
                .ip("203.0.113.9")
                .user_agent("curl/8");
            let (c1, c2) = alice
                .scope(async {
                    let c1 = Client::create(db, client("a@x.io")).await.expect("create");
                    let patch = ClientUpdate {
                        name: Patch::Set("Ada".into()),
                        ..Default::default()
                    };
                    Client::update(db, c1.id, patch).await.expect("update");
                    // The same value again: a write, logged with no values.
                    let same = ClientUpdate {
                        name: Patch::Set("Ada".into()),
                        ..Default::default()
                    };
                    Client::update(db, c1.id, same).await.expect("same");
                    let c2 = Client::create(db, client("b@x.io")).await.expect("create");
                    (c1, c2)
                })
                .await;

            // A rolled-back transaction leaves neither changes nor records.
            let failed: Result<(), Error> = db
                .transaction(|tx: Tx| async move {
                    tx.set_audit_context(AuditContext::new().actor("mallory"));
                    Client::create(&tx, client("m@x.io")).await?;
                    Client::delete(&tx, c2.id).await?;
                    Err(Error::rejected("changed my mind"))
                })
                .await;
            assert!(matches!(failed, Err(Error::Rejected { .. })));

            // A committed one, with the transaction's context.
            db.transaction(|tx: Tx| async move {
                tx.set_audit_context(AuditContext::new().actor("bob"));
                let patch = ClientUpdate {
                    balance: Patch::Set(100),
                    api_token: Patch::Set(Some("tok_rotated_secret".into())),
                    password_hash: Patch::Set("argon2id$rotated-secret".into()),
                    ..Default::default()
                };
                Client::update(&tx, c1.id, patch).await?;
                Grant::create(
                    &tx,
                    GrantCreate {
                        role: "admin".into(),
                        client_id: c1.id,
                        level: 3,
                    },
                )
                .await?;
                Ok::<_, Error>(())
            })
            .await
            .expect("committed");

            // No context: NULL actor. Soft delete, restore, purge, upserts.
            assert!(Client::delete(db, c2.id).await.expect("soft delete"));
            assert!(Client::restore(db, c2.id).await.expect("restore"));
            assert!(Client::force_delete(db, c2.id).await.expect("purge"));
            let mut again = client("a@x.io");
            again.name = "Ada L.".into();
            Client::upsert(db, again, Client::EMAIL)
                .await
                .expect("upsert overwrite");
            let c3 = Client::upsert(db, client("c@x.io"), Client::EMAIL)
                .await
                .expect("upsert insert");
            let patch = GrantUpdate {
                level: Patch::Set(5),
            };
            Grant::update(db, ("admin".to_string(), c1.id), patch)
                .await
                .expect("grant update");
            assert!(
                Grant::delete(db, ("admin".to_string(), c1.id))
                    .await
                    .expect("grant delete")
            );

            let k1 = c1.id.to_string();
            let k2 = c2.id.to_string();
            let grant_key = format!("[\"admin\",{}]", c1.id);
            let alice_id = Some("alice".to_string());
            let bob = Some("bob".to_string());
            assert_eq!(
                trail(db).await,
                [
                    (AuditAction::Create, k1.clone(), alice_id.clone()),
                    (AuditAction::Update, k1.clone(), alice_id.clone()),
                    (AuditAction::Update, k1.clone(), alice_id.clone()),
                    (AuditAction::Create, k2.clone(), alice_id.clone()),
                    (AuditAction::Update, k1.clone(), bob.clone()),
                    (AuditAction::Create, grant_key.clone(), bob.clone()),
                    (AuditAction::SoftDelete, k2.clone(), None),
                    (AuditAction::Restore, k2.clone(), None),
                    (AuditAction::Delete, k2.clone(), None),
                    (AuditAction::Update, k1.clone(), None),
                    (AuditAction::Create, c3.id.to_string(), None),
                    (AuditAction::Update, grant_key.clone(), None),
                    (AuditAction::Delete, grant_key.clone(), None),
                ]
            );

            let records = AuditLog::query().all(db).await.expect("log");
            // A create logs the row (skipped field absent, masked shown as ***).
            let created = &records[0];
            assert_eq!(created.resource, "client");
            assert_eq!(created.old_values, None);
            assert_eq!(
                created.new_values,
                Some(json!({
                    "id": c1.id, "email": "a@x.io", "name": "A@X.IO", "balance": 0,
                    "api_token": "***", "deleted_at": null,
                }))
            );
            assert_eq!(
                (
                    created.session_id.as_deref(),
                    created.correlation_id.as_deref(),
                    created.ip.as_deref(),
                    created.user_agent.as_deref()
                ),
                (
                    Some("s-1"),
                    Some("req-1"),
                    Some("203.0.113.9"),
                    Some("curl/8")
                )
            );
            // Updates log the changed fields only.
            assert_eq!(records[1].old_values, Some(json!({"name": "A@X.IO"})));
            assert_eq!(records[1].new_values, Some(json!({"name": "Ada"})));
            assert_eq!(records[2].old_values, Some(json!({})));
            assert_eq!(records[2].new_values, Some(json!({})));
            assert_eq!(
                records[4].old_values,
                Some(json!({"balance": 0, "api_token": "***"}))
            );
            assert_eq!(
                records[4].new_values,
                Some(json!({"balance": 100, "api_token": "***"}))
            );
            assert_eq!(
                records[5].new_values,
                Some(json!({"role": "admin", "client_id": c1.id, "level": 3}))
            );
            // Soft delete and restore: deleted_at only.
            let soft = &records[6];
            assert_eq!(soft.old_values, Some(json!({"deleted_at": null})));
            assert!(
                soft.new_values
                    .as_ref()
                    .is_some_and(|v| v["deleted_at"].is_string()),
                "{soft:?}"
            );
            assert_eq!(records[7].new_values, Some(json!({"deleted_at": null})));
            // A real delete logs the row it removed.
            assert_eq!(records[8].new_values, None);
            assert_eq!(
                records[8].old_values.as_ref().map(|v| v["email"].clone()),
                Some(json!("b@x.io"))
            );
            // The overwrite wrote every Create field: bob's balance and token
            // went back too.
            assert_eq!(
                records[9].old_values,
                Some(json!({"name": "Ada", "balance": 100, "api_token": "***"}))
            );
            assert_eq!(
                records[9].new_values,
                Some(json!({"name": "Ada L.", "balance": 0, "api_token": "***"}))
            );
            assert_eq!(records[11].old_values, Some(json!({"level": 3})));

            // Secrets never reach the table, in any column.
            let everything: Vec<AuditRecord> = AuditRecord::query().all(db).await.expect("raw");
            let text = serde_json::to_string(&everything).expect("json");
            for secret in [PASSWORD, TOKEN, "rotated-secret", "tok_rotated"] {
                assert!(!text.contains(secret), "{secret} leaked into the audit log");
            }
            assert!(
                !text.contains("password_hash"),
                "a skipped field is not even named"
            );
            assert!(
                !text.contains("mallory"),
                "the rolled-back transaction left no record"
            );

            // The query API.
            let of_c1 = AuditLog::query()
                .key::<Client>(&c1.id)
                .all(db)
                .await
                .expect("key");
            assert_eq!(of_c1.len(), 5);
            let by_bob = AuditLog::query().actor("bob").all(db).await.expect("actor");
            assert_eq!(by_bob.len(), 2);
            let grants = AuditLog::query()
                .resource::<Grant>()
                .action(AuditAction::Update)
                .all(db)
                .await
                .expect("grants");
            assert_eq!(grants.len(), 1);
            let of_grant = AuditLog::query()
                .key::<Grant>(&("admin".to_string(), c1.id))
                .all(db)
                .await
                .expect("grant key");
            assert_eq!(of_grant.len(), 3);
            let last_two = AuditLog::query()
                .newest_first()
                .limit(2)
                .all(db)
                .await
                .expect("latest");
            assert_eq!(
                last_two.iter().map(|r| r.action).collect::<Vec<_>>(),
                [AuditAction::Delete, AuditAction::Update]
            );
            let middle = records[6].at;
            let since = AuditLog::query()
                .since(middle)
                .all(db)
                .await
                .expect("since");
            let until = AuditLog::query()
                .until(middle)
                .all(db)
                .await
                .expect("until");
            assert_eq!(
                since.len() + until.len(),
                records.len(),
                "the ranges split the log"
            );
            assert!(since.iter().all(|r| r.at >= middle) && until.iter().all(|r| r.at < middle));

            // Retention.
            assert_eq!(AuditLog::purge_older_than(db, 30).await.expect("purge"), 0);
            let purged = AuditLog::purge_before(db, middle).await.expect("purge");
            assert_eq!(purged, until.len() as u64);
            assert_eq!(
                AuditLog::query().all(db).await.expect("left").len(),
                since.len()
            );
            t
        },
    )
    .await;
}

#[tokio::test]
async fn no_audit_rows_survive_a_panic_or_a_dropped_transaction() {
    on_every_backend(
        "no_audit_rows_survive_a_panic_or_a_dropped_transaction",
        |t: TestDb| async move {
            let db = &t.db;
            schema(db).await;
            // Panic inside the closure, after an audited create.
            let handle = {
                let db = db.clone();
                tokio::spawn(async move {
                    db.transaction(|tx: Tx| async move {
                        Client::create(&tx, client("p@x.io")).await?;
                        panic!("boom");
                        #[allow(unreachable_code)]
                        Ok::<_, Error>(())
                    })
                    .await
                })
            };
            assert!(handle.await.is_err(), "the task panicked");
            // The future dropped mid-transaction (a timeout).
            let slow = db.transaction(|tx: Tx| async move {
                Client::create(&tx, client("d@x.io")).await?;
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                Ok::<_, Error>(())
            });
            assert!(
                tokio::time::timeout(std::time::Duration::from_millis(300), slow)
                    .await
                    .is_err()
            );
            // The rollbacks are sent as the connections return to the pool.
            let mut left = None;
            for _ in 0..50 {
                match (
                    AuditRecord::query().count(db).await,
                    Client::with_deleted().count(db).await,
                ) {
                    (Ok(records), Ok(rows)) => {
                        left = Some((records, rows));
                        break;
                    }
                    (Err(e), _) | (_, Err(e)) if e.is_retryable() => {
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    }
                    (Err(e), _) | (_, Err(e)) => panic!("{e}"),
                }
            }
            assert_eq!(left, Some((0, 0)), "no rows and no audit rows");
            // And the handle still works, with records again.
            Client::create(db, client("ok@x.io")).await.expect("create");
            assert_eq!(AuditRecord::query().count(db).await.expect("count"), 1);
            t
        },
    )
    .await;
}
