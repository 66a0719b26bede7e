//! `#[entity(version)]` on `i16`, `i32` and `i64` fields: the column type
//! follows the field, versions start at 1 and rise with each update, stale
//! updates and deletes are `Conflict`s (an expected version the column
//! cannot hold too, never a panic), audit records carry the counter and
//! set-based changes stay refused — on every backend.

use entable::audit::{AuditAction, AuditLog};
use entable::dto::Patch;
use entable::prelude::*;
use entable::{Error, Repo};

use crate::support::{TestDb, introspect, on_every_backend};

/// One audited entity with a version counter of type `$ty`, and a test of
/// it named `$test`.
macro_rules! version_width {
    ($entity:ident, $update:ident, $create:ident, $ty:ty, $test:ident, $sql:expr) => {
        #[derive(Entity, Debug, Clone)]
        #[entity(audit)]
        pub struct $entity {
            #[entity(primary_key, auto_increment)]
            pub id: i64,
            pub name: String,
            #[entity(version)]
            pub version: $ty,
        }

        #[tokio::test]
        async fn $test() {
            on_every_backend(stringify!($test), |t: TestDb| async move {
                let db = &t.db;
                Schema::of(vec![$entity::table()])
                    .expect("schema")
                    .create_all(db)
                    .await
                    .expect("created");
                let column = introspect::table(db, $entity::table())
                    .await
                    .columns
                    .into_iter()
                    .find(|c| c.name == "version")
                    .expect("version column");
                let allowed: &[&str] = $sql;
                assert!(
                    allowed.contains(&column.sql_type.as_str()),
                    "{:?}: {} not in {allowed:?}",
                    t.dialect,
                    column.sql_type
                );

                let read = $entity::create(db, $create { name: "a".into() })
                    .await
                    .expect("create");
                assert_eq!(read.version, 1, "versions start at 1");
                let patch = |version: $ty, name: &str| $update {
                    name: Patch::Set(name.into()),
                    version,
                };
                let updated = $entity::update(db, read.id, patch(read.version, "b"))
                    .await
                    .expect("current version");
                assert_eq!((updated.name.as_str(), updated.version), ("b", 2));

                let stale = $entity::update(db, read.id, patch(read.version, "c"))
                    .await
                    .expect_err("stale");
                assert!(matches!(stale, Error::Conflict { .. }), "{stale:?}");
                let now = $entity::get(db, read.id).await.expect("get").expect("row");
                assert_eq!(
                    (now.name.as_str(), now.version),
                    ("b", 2),
                    "nothing written"
                );

                // Each row's own version in a bulk update, checked too.
                let rows = vec![(read.id, patch(read.version, "d"))];
                let error = $entity::bulk_update(db, rows).await.expect_err("stale");
                assert!(matches!(error, Error::Conflict { .. }), "{error:?}");
                let rows = vec![(read.id, patch(now.version, "e"))];
                assert_eq!($entity::bulk_update(db, rows).await.expect("bulk"), 1);
                let now = $entity::get(db, read.id).await.expect("get").expect("row");
                assert_eq!(now.version, 3);

                // Set-based changes would skip the check.
                let error = $entity::bulk_delete(db, vec![read.id])
                    .await
                    .expect_err("refused");
                assert!(matches!(error, Error::Usage { .. }), "{error:?}");
                let error = $entity::delete(db, read.id).await.expect_err("refused");
                assert!(matches!(error, Error::Usage { .. }), "{error:?}");

                // Stale, and beyond any width: a conflict, not a panic.
                for expected in [
                    1_i64,
                    i64::from(<$ty>::MAX).saturating_add(1),
                    i64::MAX,
                    i64::MIN,
                ] {
                    let error = $entity::delete_version(db, read.id, expected)
                        .await
                        .expect_err("stale delete");
                    assert!(
                        matches!(error, Error::Conflict { .. }),
                        "{expected}: {error:?}"
                    );
                }
                assert!($entity::get(db, read.id).await.expect("get").is_some());
                assert!(
                    $entity::delete_version(db, read.id, now.version.into())
                        .await
                        .expect("current delete")
                );
                assert!(
                    !$entity::delete_version(db, read.id, now.version.into())
                        .await
                        .expect("gone")
                );

                // The audit log has the counter as it moved.
                let records = AuditLog::query().all(db).await.expect("log");
                let actions: Vec<_> = records.iter().map(|r| r.action).collect();
                assert_eq!(
                    actions,
                    [
                        AuditAction::Create,
                        AuditAction::Update,
                        AuditAction::Update,
                        AuditAction::Delete
                    ]
                );
                let first = &records[1];
                let old = first.old_values.as_ref().expect("old values");
                let new = first.new_values.as_ref().expect("new values");
                assert_eq!(
                    (old["version"].as_i64(), new["version"].as_i64()),
                    (Some(1), Some(2))
                );
                t
            })
            .await;
        }
    };
}

version_width!(
    Small,
    SmallUpdate,
    SmallCreate,
    i16,
    version_i16,
    &["smallint", "int2"]
);
version_width!(
    Medium,
    MediumUpdate,
    MediumCreate,
    i32,
    version_i32,
    &["integer", "int", "int4"]
);
version_width!(
    Large,
    LargeUpdate,
    LargeCreate,
    i64,
    version_i64,
    &["bigint", "int8"]
);
