//! Upserts say what they did: `upsert_outcome` and `bulk_upsert_outcomes`
//! report, per row, an insert or an update (an unchanged overwrite and a
//! revived soft-deleted row included), on the plain, audited, MySQL
//! row-by-row and multi-row paths — on every backend.

use entable::audit::{AuditAction, AuditLog};
use entable::prelude::*;
use entable::repo::UpsertOutcome::{self, Inserted, Updated};

use crate::support::{TestDb, on_every_backend};

/// Its key is its only unique key: multi-row upserts on every backend.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Stock {
    #[entity(primary_key, max_length = 12)]
    pub sku: String,
    pub count: i32,
}

/// A unique key besides the generated one: row by row on MySQL.
#[derive(Entity, Debug, Clone)]
pub struct Subscriber {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique, max_length = 40)]
    pub email: String,
    pub name: String,
}

/// Audited: each row's record says what its upsert did.
#[derive(Entity, Debug, Clone)]
#[entity(audit)]
pub struct Ledger {
    #[entity(primary_key, max_length = 12)]
    pub code: String,
    pub amount: i64,
}

/// Soft-deleting on a flag, unique among live rows.
#[derive(Entity, Debug, Clone)]
pub struct Handle {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique_live, max_length = 20)]
    pub name: String,
    pub label: String,
    #[entity(live_flag)]
    pub active: bool,
}

async fn schema(db: &Db) {
    Schema::of(vec![
        Stock::table(),
        Subscriber::table(),
        Ledger::table(),
        Handle::table(),
    ])
    .expect("schema")
    .create_all(db)
    .await
    .expect("created");
}

fn stock(sku: &str, count: i32) -> StockCreate {
    StockCreate {
        sku: sku.into(),
        count,
    }
}

#[tokio::test]
async fn an_upsert_reports_insert_or_update() {
    on_every_backend(
        "an_upsert_reports_insert_or_update",
        |t: TestDb| async move {
            let db = &t.db;
            schema(db).await;
            let first = Stock::upsert_outcome(db, stock("a", 1), Stock::SKU)
                .await
                .expect("upsert");
            assert_eq!((first.outcome, first.row.count), (Inserted, 1));
            assert!(first.outcome.inserted());
            let same = Stock::upsert_outcome(db, stock("a", 1), Stock::SKU)
                .await
                .expect("upsert");
            assert_eq!(
                same.outcome, Updated,
                "an overwrite that changes nothing is an update"
            );
            let changed = Stock::upsert_outcome(db, stock("a", 2), Stock::SKU)
                .await
                .expect("upsert");
            assert_eq!((changed.outcome, changed.row.count), (Updated, 2));
            // `upsert` still returns the row.
            let row = Stock::upsert(db, stock("b", 7), Stock::SKU)
                .await
                .expect("upsert");
            assert_eq!(
                row,
                Stock {
                    sku: "b".into(),
                    count: 7
                }
            );
            assert_eq!(
                Stock::upsert_outcome(db, stock("b", 7), Stock::SKU)
                    .await
                    .expect("upsert")
                    .outcome,
                Updated
            );

            // By a unique key other than the primary key.
            let sub = |name: &str| SubscriberCreate {
                email: "s@x.io".into(),
                name: name.into(),
            };
            let new = Subscriber::upsert_outcome(db, sub("one"), Subscriber::EMAIL)
                .await
                .expect("upsert");
            assert_eq!(new.outcome, Inserted);
            let old = Subscriber::upsert_outcome(db, sub("two"), Subscriber::EMAIL)
                .await
                .expect("upsert");
            assert_eq!(
                (old.outcome, old.row.id, old.row.name.as_str()),
                (Updated, new.row.id, "two")
            );
            let old = Subscriber::upsert_outcome(db, sub("two"), Subscriber::EMAIL)
                .await
                .expect("upsert");
            assert_eq!(old.outcome, Updated);

            // Audited: the record's act is what the upsert did.
            let ledger = |amount: i64| LedgerCreate {
                code: "L1".into(),
                amount,
            };
            let outcomes = [
                Ledger::upsert_outcome(db, ledger(5), Ledger::CODE)
                    .await
                    .expect("upsert")
                    .outcome,
                Ledger::upsert_outcome(db, ledger(6), Ledger::CODE)
                    .await
                    .expect("upsert")
                    .outcome,
                Ledger::upsert_outcome(db, ledger(6), Ledger::CODE)
                    .await
                    .expect("upsert")
                    .outcome,
            ];
            assert_eq!(outcomes, [Inserted, Updated, Updated]);
            let acts: Vec<AuditAction> = AuditLog::query()
                .resource::<Ledger>()
                .all(db)
                .await
                .expect("log")
                .iter()
                .map(|r| r.action)
                .collect();
            assert_eq!(
                acts,
                [AuditAction::Create, AuditAction::Update],
                "an unchanged overwrite writes no record"
            );

            // A live-unique target: a deleted row is not matched (a new row is
            // inserted); a live one is.
            let handle = |label: &str| HandleCreate {
                name: "h".into(),
                label: label.into(),
            };
            let h1 = Handle::create(db, handle("first")).await.expect("create");
            assert!(Handle::delete(db, h1.id).await.expect("delete"));
            let h2 = Handle::upsert_outcome(db, handle("second"), Handle::NAME)
                .await
                .expect("upsert");
            assert_eq!(h2.outcome, Inserted);
            assert_ne!(h2.row.id, h1.id);
            let h3 = Handle::upsert_outcome(db, handle("third"), Handle::NAME)
                .await
                .expect("upsert");
            assert_eq!((h3.outcome, h3.row.id), (Updated, h2.row.id));
            // By the key, a soft-deleted row is revived: an update.
            assert!(Handle::delete(db, h2.row.id).await.expect("delete"));
            assert!(Stock::delete(db, "a".to_string()).await.expect("delete"));
            assert_eq!(
                Stock::upsert_outcome(db, stock("a", 3), Stock::SKU)
                    .await
                    .expect("upsert")
                    .outcome,
                Inserted
            );
            t
        },
    )
    .await;
}

/// Rows `0..n`: the even ones exist beforehand; every third row carries
/// the values it has already.
fn mix(n: usize) -> (Vec<StockCreate>, Vec<StockCreate>, Vec<UpsertOutcome>) {
    let seed = (0..n)
        .step_by(2)
        .map(|i| stock(&format!("s{i}"), i as i32))
        .collect();
    let rows = (0..n)
        .map(|i| stock(&format!("s{i}"), if i % 3 == 0 { i as i32 } else { -1 }))
        .collect();
    let expected = (0..n)
        .map(|i| if i % 2 == 0 { Updated } else { Inserted })
        .collect();
    (seed, rows, expected)
}

#[tokio::test]
async fn a_bulk_upsert_reports_each_row_in_input_order() {
    on_every_backend(
        "a_bulk_upsert_reports_each_row_in_input_order",
        |t: TestDb| async move {
            let db = &t.db;
            schema(db).await;
            // Past one multi-row statement and one 500-row existence check.
            let n = entable::repo::bulk_rows_per_statement(t.dialect, 2) + 7;
            let (seed, rows, expected) = mix(n);
            let seeded = seed.len() as u64;
            assert_eq!(Stock::bulk_insert(db, seed).await.expect("seed"), seeded);
            let outcomes = Stock::bulk_upsert_outcomes(db, rows, Stock::SKU)
                .await
                .expect("bulk upsert");
            assert_eq!(outcomes.len(), n);
            let wrong: Vec<usize> = (0..n).filter(|i| outcomes[*i] != expected[*i]).collect();
            assert!(
                wrong.is_empty(),
                "rows reported wrongly: {:?}",
                &wrong[..wrong.len().min(10)]
            );
            assert_eq!(
                Stock::count(db, Expr::all()).await.expect("count"),
                n as u64
            );
            // The count-only form is unchanged.
            let (_, again, _) = mix(4);
            assert_eq!(
                Stock::bulk_upsert(db, again, Stock::SKU)
                    .await
                    .expect("bulk upsert"),
                4
            );

            // Row by row on MySQL (another unique key), multi-row elsewhere.
            let sub = |email: &str| SubscriberCreate {
                email: email.into(),
                name: "n".into(),
            };
            Subscriber::create(db, sub("b@x.io")).await.expect("create");
            let outcomes = Subscriber::bulk_upsert_outcomes(
                db,
                vec![sub("a@x.io"), sub("b@x.io"), sub("c@x.io")],
                Subscriber::EMAIL,
            )
            .await
            .expect("bulk upsert");
            assert_eq!(outcomes, [Inserted, Updated, Inserted]);

            // Audited: one record per row, by what each did.
            Ledger::create(
                db,
                LedgerCreate {
                    code: "L2".into(),
                    amount: 1,
                },
            )
            .await
            .expect("create");
            let rows = ["L1", "L2", "L3"].map(|code| LedgerCreate {
                code: code.into(),
                amount: 9,
            });
            let outcomes = Ledger::bulk_upsert_outcomes(db, rows.to_vec(), Ledger::CODE)
                .await
                .expect("bulk upsert");
            assert_eq!(outcomes, [Inserted, Updated, Inserted]);
            let acts: Vec<(String, AuditAction)> = AuditLog::query()
                .resource::<Ledger>()
                .all(db)
                .await
                .expect("log")
                .into_iter()
                .map(|r| (r.entity_key, r.action))
                .collect();
            assert_eq!(
                acts,
                [
                    ("L2".to_string(), AuditAction::Create),
                    ("L1".to_string(), AuditAction::Create),
                    ("L2".to_string(), AuditAction::Update),
                    ("L3".to_string(), AuditAction::Create),
                ]
            );

            // A live-unique target on a flag: the deleted row's value is free.
            let handle = |name: &str| HandleCreate {
                name: name.into(),
                label: "l".into(),
            };
            let gone = Handle::create(db, handle("x")).await.expect("create");
            assert!(Handle::delete(db, gone.id).await.expect("delete"));
            Handle::create(db, handle("y")).await.expect("create");
            let outcomes =
                Handle::bulk_upsert_outcomes(db, vec![handle("x"), handle("y")], Handle::NAME)
                    .await
                    .expect("bulk upsert");
            assert_eq!(outcomes, [Inserted, Updated]);
            assert!(
                Stock::bulk_upsert_outcomes(db, Vec::new(), Stock::SKU)
                    .await
                    .expect("empty")
                    .is_empty()
            );
            t
        },
    )
    .await;
}
