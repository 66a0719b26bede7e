//! Audited writes whose key or actor id would not fit the audit log's
//! columns fail with a typed error and write nothing, on every backend.

use entable::Error;
use entable::audit::AuditLog;
use entable::prelude::*;

use crate::support::on_every_backend;

/// A composite key whose log text (a JSON array) can outgrow the log's
/// 512-character `entity_key`.
#[derive(Entity, Debug, Clone)]
#[entity(audit)]
pub struct Pair {
    #[entity(primary_key, max_length = 255)]
    pub left: String,
    #[entity(primary_key, max_length = 255)]
    pub right: String,
    pub note: String,
}

fn pair(left: &str, right: &str) -> PairCreate {
    PairCreate {
        left: left.into(),
        right: right.into(),
        note: "n".into(),
    }
}

fn assert_invalid<T: std::fmt::Debug>(result: Result<T, Error>, column: &str) {
    match result {
        Err(Error::InvalidValue {
            column: Some(c), ..
        }) if c == column => {}
        other => panic!("expected InvalidValue for {column}, got {other:?}"),
    }
}

#[tokio::test]
async fn audit_key_and_actor_limits_are_typed_errors() {
    on_every_backend(
        "audit_key_and_actor_limits_are_typed_errors",
        |t| async move {
            let db = &t.db;
            Schema::of(vec![Pair::table()])
                .expect("schema")
                .create_all(db)
                .await
                .expect("created");
            let long = "k".repeat(255);
            assert_invalid(Pair::create(db, pair(&long, &long)).await, "entity_key");

            let actor = AuditContext::new().actor("a".repeat(256));
            assert_invalid(
                actor.scope(Pair::create(db, pair("a", "b"))).await,
                "actor_id",
            );

            let fits = AuditContext::new().actor("a".repeat(255));
            fits.scope(Pair::create(db, pair("a", &"k".repeat(250))))
                .await
                .expect("fits");
            assert_eq!(
                Pair::count(db, Pair::NOTE.eq("n")).await.expect("count"),
                1,
                "only the one that fits"
            );
            let records = AuditLog::query().all(db).await.expect("log");
            assert_eq!(records.len(), 1);
            t
        },
    )
    .await;
}
