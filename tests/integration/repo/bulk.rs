//! Bulk operations: 100,000-row loads verified by checksum, atomicity and
//! batch-commit mode, chunking at the bind limit, bulk updates row by row,
//! set-based updates and deletes, soft delete and audit on bulk paths — on
//! every backend.

use entable::Error;
use entable::audit::{AuditAction, AuditLog};
use entable::dto::Patch;
use entable::prelude::*;
use entable::repo::bulk_rows_per_statement;

use crate::support::{TestDb, on_every_backend};

#[derive(Entity, Debug, Clone)]
pub struct Reading {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique, max_length = 24)]
    pub code: String,
    pub sensor: i32,
    pub value: f64,
    pub note: Option<String>,
    #[entity(created_at)]
    pub created_at: DateTime<Utc>,
}

/// Soft-deleting and audited.
#[derive(Entity, Debug, Clone)]
#[entity(audit)]
pub struct Ticket2 {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(max_length = 24)]
    pub title: String,
    pub points: i32,
    #[entity(updated_at)]
    pub updated_at: DateTime<Utc>,
    #[entity(deleted_at)]
    pub deleted_at: Option<DateTime<Utc>>,
}

/// The same, soft-deleting on a flag (true while live).
#[derive(Entity, Debug, Clone)]
#[entity(audit)]
pub struct Ticket3 {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(max_length = 24)]
    pub title: String,
    pub points: i32,
    #[entity(updated_at)]
    pub updated_at: DateTime<Utc>,
    #[entity(live_flag)]
    pub active: bool,
}

/// Three columns a row: 3 divides both 65,535 and 32,766, so a statement
/// can hold exactly the bind limit on PostgreSQL and SQLite.
#[derive(Entity, Debug, Clone)]
pub struct Triple {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub a: i32,
    pub b: String,
    pub c: i64,
}

/// A natural key, given by the caller.
#[derive(Entity, Debug, Clone)]
pub struct Label {
    #[entity(primary_key, max_length = 10)]
    pub code: String,
    pub n: i32,
}

async fn schema(db: &Db) {
    Schema::of(vec![
        Reading::table(),
        Ticket2::table(),
        Ticket3::table(),
        Triple::table(),
        Label::table(),
    ])
    .expect("schema")
    .create_all(db)
    .await
    .expect("created");
}

fn reading(i: usize) -> ReadingCreate {
    ReadingCreate {
        code: format!("c{i:06}"),
        sensor: i32::try_from(i % 97).expect("small"),
        value: i as f64 / 4.0,
        note: i.is_multiple_of(3).then(|| format!("n{i}")),
    }
}

/// Count, sum of sensors, sum of values and of note lengths of the table.
async fn checksum(db: &Db) -> (usize, i64, f64, usize) {
    let rows: Vec<(String, i32, f64, Option<String>)> = Reading::query()
        .select((
            Reading::CODE,
            Reading::SENSOR,
            Reading::VALUE,
            Reading::NOTE,
        ))
        .all(db)
        .await
        .expect("rows");
    (
        rows.len(),
        rows.iter().map(|r| i64::from(r.1)).sum(),
        rows.iter().map(|r| r.2).sum(),
        rows.iter()
            .map(|r| r.3.as_ref().map_or(0, String::len))
            .sum(),
    )
}

fn expected(n: usize) -> (usize, i64, f64, usize) {
    let rows: Vec<ReadingCreate> = (0..n).map(reading).collect();
    (
        n,
        rows.iter().map(|r| i64::from(r.sensor)).sum(),
        rows.iter().map(|r| r.value).sum(),
        rows.iter()
            .map(|r| r.note.as_ref().map_or(0, String::len))
            .sum(),
    )
}

#[tokio::test]
async fn bulk_loads_of_100_000_rows() {
    on_every_backend("bulk_loads_of_100_000_rows", |t: TestDb| async move {
        let db = &t.db;
        schema(db).await;
        let n = 100_000;
        let count = Reading::bulk_insert(db, (0..n).map(reading))
            .await
            .expect("bulk insert");
        assert_eq!(count, n as u64);
        assert_eq!(checksum(db).await, expected(n));
        // Every row got its created_at from the one clock.
        assert_eq!(
            Reading::count(
                db,
                Reading::CREATED_AT.lt(Utc::now() - chrono::Duration::hours(1))
            )
            .await
            .expect("count"),
            0
        );

        // A unique violation in row 50,001: nothing of the call stays.
        let mut rows: Vec<ReadingCreate> = (n..2 * n).map(reading).collect();
        rows[50_000].code = reading(7).code;
        let failed = Reading::bulk_insert(db, rows.clone()).await;
        assert!(
            matches!(failed, Err(Error::UniqueViolation { .. })),
            "{failed:?}"
        );
        assert_eq!(checksum(db).await, expected(n), "atomic: zero rows kept");

        // Batch-commit mode: the batches before the failing one stay.
        let failed = Reading::bulk_insert_batched(db, rows, 10_000).await;
        match failed {
            Err(Error::PartiallyCommitted {
                committed, source, ..
            }) => {
                assert_eq!(committed, 50_000);
                assert!(
                    matches!(*source, Error::UniqueViolation { .. }),
                    "{source:?}"
                );
            }
            other => panic!("expected PartiallyCommitted, got {other:?}"),
        }
        assert_eq!(
            Reading::count(db, Expr::all()).await.expect("count"),
            (n + 50_000) as u64,
            "what the error reports is what the table holds"
        );
        t
    })
    .await;
}

#[tokio::test]
async fn bulk_create_returns_rows_and_chunks_at_the_limit() {
    on_every_backend(
        "bulk_create_returns_rows_and_chunks_at_the_limit",
        |t: TestDb| async move {
            let db = &t.db;
            schema(db).await;
            // 5 columns a row (code, sensor, value, note, created_at).
            let per_statement = bulk_rows_per_statement(t.dialect, 5);
            let mut start = 0;
            for n in [per_statement, per_statement + 1] {
                let input: Vec<ReadingCreate> = (start..start + n).map(reading).collect();
                let created = Reading::bulk_create(db, input.clone())
                    .await
                    .expect("bulk create");
                assert_eq!(created.len(), n);
                for (row, given) in created.iter().zip(&input) {
                    assert_eq!(
                        (&row.code, row.sensor, row.value, &row.note),
                        (&given.code, given.sensor, given.value, &given.note)
                    );
                }
                assert!(
                    created.windows(2).all(|w| w[0].id < w[1].id),
                    "keys in input order"
                );
                start += n;
            }
            assert_eq!(checksum(db).await, expected(start));

            // Exactly the bind limit in one statement, then one row over it.
            let per_statement = bulk_rows_per_statement(t.dialect, 3);
            if t.dialect != entable::backend::Dialect::MySql {
                assert_eq!(
                    per_statement * 3,
                    t.dialect.bind_limit(),
                    "a full statement binds the limit"
                );
            }
            let mut start = 0i64;
            for n in [per_statement, per_statement + 1] {
                let input: Vec<TripleCreate> = (start..start + n as i64)
                    .map(|i| TripleCreate {
                        a: i32::try_from(i % 1000).expect("small"),
                        b: format!("b{i}"),
                        c: i * 7,
                    })
                    .collect();
                let created = Triple::bulk_create(db, input).await.expect("at the limit");
                assert_eq!(created.len(), n);
                assert!(
                    created
                        .iter()
                        .enumerate()
                        .all(|(k, row)| row.c == (start + k as i64) * 7
                            && row.b == format!("b{}", start + k as i64))
                );
                start += n as i64;
            }
            assert_eq!(
                Triple::count(db, Expr::all()).await.expect("count"),
                start as u64
            );

            // Validation of every row before any SQL, naming the row.
            let mut bad: Vec<Ticket2Create> = (0..5)
                .map(|i| Ticket2Create {
                    title: format!("t{i}"),
                    points: 1,
                })
                .collect();
            bad[3].title = "x".repeat(40);
            match Ticket2::bulk_create(db, bad).await {
                Err(Error::InvalidRow { row, errors, .. }) => {
                    assert_eq!(row, 3);
                    assert!(errors.field_errors().contains_key("title"));
                }
                other => panic!("expected InvalidRow, got {other:?}"),
            }
            assert_eq!(Ticket2::with_deleted().count(db).await.expect("count"), 0);
            t
        },
    )
    .await;
}

#[tokio::test]
async fn bulk_update_upsert_and_set_based_changes() {
    on_every_backend(
        "bulk_update_upsert_and_set_based_changes",
        |t: TestDb| async move {
            let db = &t.db;
            schema(db).await;
            let n = 10_000;
            Reading::bulk_insert(db, (0..n).map(reading))
                .await
                .expect("load");
            let rows = Reading::query()
                .order_by(Reading::ID.asc())
                .all(db)
                .await
                .expect("rows");
            // Distinct values per row, keyed by id.
            let patches: Vec<(i64, ReadingUpdate)> = rows
                .iter()
                .map(|r| {
                    let patch = ReadingUpdate {
                        value: Patch::Set(r.id as f64 * 1.5),
                        note: Patch::Set(Some(format!("u{}", r.id))),
                        ..Default::default()
                    };
                    (r.id, patch)
                })
                .collect();
            assert_eq!(
                Reading::bulk_update(db, patches)
                    .await
                    .expect("bulk update"),
                n as u64
            );
            let after = Reading::query()
                .order_by(Reading::ID.asc())
                .all(db)
                .await
                .expect("rows");
            for (before, row) in rows.iter().zip(&after) {
                assert_eq!(row.id, before.id);
                assert_eq!(row.value, before.id as f64 * 1.5);
                assert_eq!(
                    row.note.as_deref(),
                    Some(format!("u{}", before.id).as_str())
                );
                assert_eq!(
                    (&row.code, row.sensor),
                    (&before.code, before.sensor),
                    "unset fields kept"
                );
            }
            // A missing key undoes the whole call.
            let patch = |v: f64| ReadingUpdate {
                value: Patch::Set(v),
                ..Default::default()
            };
            let failed =
                Reading::bulk_update(db, vec![(rows[0].id, patch(-1.0)), (-5, patch(-1.0))]).await;
            assert!(matches!(failed, Err(Error::NotFound { .. })), "{failed:?}");
            assert_eq!(
                Reading::get(db, rows[0].id)
                    .await
                    .expect("get")
                    .expect("row")
                    .value,
                rows[0].id as f64 * 1.5
            );

            // Set-based.
            let changed = Reading::update_where(db, Reading::SENSOR.eq(5), patch(0.0))
                .await
                .expect("update_where");
            let fives = Reading::count(db, Reading::SENSOR.eq(5))
                .await
                .expect("count");
            assert_eq!(changed, fives);
            assert_eq!(
                Reading::count(db, Reading::VALUE.eq(0.0))
                    .await
                    .expect("count"),
                fives
            );
            let deleted = Reading::delete_where(db, Reading::SENSOR.lt(10))
                .await
                .expect("delete_where");
            assert_eq!(
                Reading::count(db, Expr::all()).await.expect("count"),
                n as u64 - deleted
            );
            assert_eq!(
                Reading::count(db, Reading::SENSOR.lt(10))
                    .await
                    .expect("count"),
                0
            );

            // Upsert: half existing codes, half new.
            let upserts: Vec<ReadingCreate> = (n - 500..n + 500)
                .map(|i| ReadingCreate {
                    sensor: 999,
                    ..reading(i)
                })
                .collect();
            assert_eq!(
                Reading::bulk_upsert(db, upserts, Reading::CODE)
                    .await
                    .expect("bulk upsert"),
                1_000
            );
            assert_eq!(
                Reading::count(db, Reading::SENSOR.eq(999))
                    .await
                    .expect("count"),
                1_000
            );

            let keys: Vec<i64> = Reading::query()
                .filter(Reading::SENSOR.eq(999))
                .select(Reading::ID)
                .all(db)
                .await
                .expect("ids");
            assert_eq!(
                Reading::bulk_delete(db, keys.clone())
                    .await
                    .expect("bulk delete"),
                1_000
            );
            assert_eq!(Reading::bulk_delete(db, keys).await.expect("again"), 0);
            t
        },
    )
    .await;
}

/// Bulk paths on a soft-deleting, audited entity: `$ticket` (its Create and
/// Update types given), whose marker is `$field`.
macro_rules! bulk_soft_delete_test {
    ($test:ident, $ticket:ident, $create:ident, $update:ident, $field:ident) => {
        #[tokio::test]
        async fn $test() {
            on_every_backend(stringify!($test), |t: TestDb| async move {
                let db = &t.db;
                schema(db).await;
                let input: Vec<$create> = (0..300)
                    .map(|i| $create {
                        title: format!("t{i}"),
                        points: i,
                    })
                    .collect();
                let created = AuditContext::new()
                    .actor("loader")
                    .scope($ticket::bulk_create(db, input))
                    .await
                    .expect("bulk create");
                assert_eq!(created.len(), 300);
                let records = AuditLog::query()
                    .resource::<$ticket>()
                    .all(db)
                    .await
                    .expect("log");
                assert_eq!(records.len(), 300, "one record per row");
                assert!(
                    records.iter().all(|r| r.action == AuditAction::Create
                        && r.actor_id.as_deref() == Some("loader"))
                );
                assert_eq!(records[7].entity_key, created[7].id.to_string());

                let keys: Vec<i64> = created.iter().take(100).map(|t| t.id).collect();
                assert_eq!(
                    $ticket::bulk_delete(db, keys.clone()).await.expect("soft"),
                    100
                );
                assert_eq!($ticket::count(db, Expr::all()).await.expect("live"), 200);
                assert_eq!(
                    $ticket::only_deleted().count(db).await.expect("deleted"),
                    100
                );
                assert_eq!(
                    $ticket::update_where(
                        db,
                        $ticket::POINTS.lt(150),
                        $update {
                            points: Patch::Set(0),
                            ..Default::default()
                        }
                    )
                    .await
                    .expect("update_where"),
                    50,
                    "soft-deleted rows are not updated"
                );
                assert_eq!(
                    $ticket::bulk_force_delete(db, keys).await.expect("purge"),
                    100
                );
                assert_eq!($ticket::with_deleted().count(db).await.expect("all"), 200);
                let log = AuditLog::query()
                    .resource::<$ticket>()
                    .all(db)
                    .await
                    .expect("log");
                let actions: Vec<AuditAction> = log.iter().map(|r| r.action).collect();
                assert_eq!(
                    actions
                        .iter()
                        .filter(|a| **a == AuditAction::SoftDelete)
                        .count(),
                    100
                );
                assert_eq!(
                    actions
                        .iter()
                        .filter(|a| **a == AuditAction::Update)
                        .count(),
                    50
                );
                assert_eq!(
                    actions
                        .iter()
                        .filter(|a| **a == AuditAction::Delete)
                        .count(),
                    100
                );
                // A soft delete's record shows the marker changing.
                let soft = log
                    .iter()
                    .find(|r| r.action == AuditAction::SoftDelete)
                    .expect("a soft delete");
                let changed = |values: &Option<serde_json::Value>| {
                    values
                        .as_ref()
                        .and_then(|v| v.get(stringify!($field)).cloned())
                };
                assert!(
                    changed(&soft.old_values).is_some() && changed(&soft.new_values).is_some(),
                    "{soft:?}"
                );
                assert_ne!(changed(&soft.old_values), changed(&soft.new_values));
                t
            })
            .await;
        }
    };
}

bulk_soft_delete_test!(
    bulk_paths_soft_delete_and_audit,
    Ticket2,
    Ticket2Create,
    Ticket2Update,
    deleted_at
);
bulk_soft_delete_test!(
    bulk_paths_soft_delete_on_a_flag_and_audit,
    Ticket3,
    Ticket3Create,
    Ticket3Update,
    active
);

#[tokio::test]
async fn set_based_changes_refuse_versioned_entities() {
    use crate::repo::soft_delete::timestamp::{Ticket, TicketCreate, TicketUpdate};
    on_every_backend(
        "set_based_changes_refuse_versioned_entities",
        |t: TestDb| async move {
            let db = &t.db;
            Schema::of(vec![Ticket::table()])
                .expect("schema")
                .create_all(db)
                .await
                .expect("created");
            let rows: Vec<TicketCreate> = (0..3)
                .map(|i| TicketCreate {
                    project: "p".into(),
                    code: format!("T-{i}"),
                })
                .collect();
            let created = Ticket::bulk_create(db, rows).await.expect("bulk create");
            assert!(created.iter().all(|t| t.version == 1), "the column default");
            let keys: Vec<i64> = created.iter().map(|t| t.id).collect();
            let refused = Ticket::bulk_delete(db, keys.clone()).await;
            assert!(matches!(refused, Err(Error::Usage { .. })), "{refused:?}");
            let patch = TicketUpdate {
                code: Patch::Set("X".into()),
                version: 1,
                ..Default::default()
            };
            let refused = Ticket::update_where(db, Expr::all(), patch).await;
            assert!(matches!(refused, Err(Error::Usage { .. })), "{refused:?}");
            assert!(matches!(
                Ticket::delete_where(db, Expr::all()).await,
                Err(Error::Usage { .. })
            ));
            // Row by row with each version: fine, and stale ones conflict.
            let patches: Vec<(i64, TicketUpdate)> = created
                .iter()
                .map(|t| {
                    (
                        t.id,
                        TicketUpdate {
                            code: Patch::Set(format!("{}-b", t.code)),
                            version: t.version,
                            ..Default::default()
                        },
                    )
                })
                .collect();
            assert_eq!(
                Ticket::bulk_update(db, patches.clone())
                    .await
                    .expect("bulk update"),
                3
            );
            assert!(matches!(
                Ticket::bulk_update(db, patches).await,
                Err(Error::Conflict { .. })
            ));
            assert_eq!(Ticket::bulk_force_delete(db, keys).await.expect("purge"), 3);
            t
        },
    )
    .await;
}
