//! Edge cases of the streaming `bulk_insert`: validation flags, carried
//! rows, failures inside a caller's transaction, panicking iterators,
//! timestamps and defaults in alternating column sets.

use entable::__private::Model;
use entable::Error;
use entable::dto::Patch;
use entable::prelude::*;

use crate::support::{TestDb, on_every_backend};

#[derive(Entity, Debug, Clone)]
pub struct PMaxLen {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(max_length = 3)]
    pub name: String,
}

#[derive(Entity, Debug, Clone)]
pub struct PNonEmpty {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(non_empty)]
    pub name: String,
}

#[derive(Entity, Debug, Clone)]
#[entity(non_empty_strings)]
pub struct PNonEmptyAll {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub name: String,
}

#[derive(Entity, Debug, Clone)]
pub struct PRequired {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[validate(required)]
    pub note: Option<String>,
}

#[derive(Entity, Debug, Clone)]
pub struct PStamped {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique)]
    pub code: String,
    #[entity(default = 7)]
    pub level: i32,
    #[entity(created_at)]
    pub created_at: DateTime<Utc>,
    #[entity(updated_at)]
    pub updated_at: NaiveDateTime,
}

#[derive(Entity, Debug, Clone)]
pub struct PDefaults {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(default = 3)]
    pub a: i32,
}

#[derive(Entity, Debug, Clone)]
pub struct PPlain {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique)]
    pub code: String,
    #[entity(default = 7)]
    pub level: i32,
    pub body: Option<String>,
}

async fn schema(db: &Db) {
    Schema::of(vec![
        PMaxLen::table(),
        PNonEmpty::table(),
        PNonEmptyAll::table(),
        PRequired::table(),
        PStamped::table(),
        PDefaults::table(),
        PPlain::table(),
    ])
    .expect("schema")
    .create_all(db)
    .await
    .expect("created");
}

#[test]
fn bulk_stream_probes_validates_flags() {
    const { assert!(<PMaxLen as Model>::VALIDATES_CREATE) };
    const { assert!(<PNonEmpty as Model>::VALIDATES_CREATE) };
    const { assert!(<PNonEmptyAll as Model>::VALIDATES_CREATE) };
    const { assert!(<PRequired as Model>::VALIDATES_CREATE) };
    const { assert!(!<PPlain as Model>::VALIDATES_CREATE) };
}

#[tokio::test]
async fn bulk_stream_probes_validation_kinds() {
    on_every_backend(
        "bulk_stream_probes_validation_kinds",
        |t: TestDb| async move {
            let db = &t.db;
            schema(db).await;
            let r = PMaxLen::bulk_insert(
                db,
                (0..20).map(|i| PMaxLenCreate {
                    name: if i == 7 {
                        "toolong".into()
                    } else {
                        "ab".into()
                    },
                }),
            )
            .await;
            assert!(
                matches!(r, Err(Error::InvalidRow { row: 7, .. })),
                "maxlen {r:?}"
            );
            let r = PNonEmpty::bulk_insert(
                db,
                (0..20).map(|i| PNonEmptyCreate {
                    name: if i == 7 { String::new() } else { "ab".into() },
                }),
            )
            .await;
            assert!(
                matches!(r, Err(Error::InvalidRow { row: 7, .. })),
                "nonempty {r:?}"
            );
            let r = PNonEmptyAll::bulk_insert(
                db,
                (0..20).map(|i| PNonEmptyAllCreate {
                    name: if i == 7 { String::new() } else { "ab".into() },
                }),
            )
            .await;
            assert!(
                matches!(r, Err(Error::InvalidRow { row: 7, .. })),
                "nonemptyall {r:?}"
            );
            let r = PRequired::bulk_insert(
                db,
                (0..20).map(|i| PRequiredCreate {
                    note: (i != 7).then(|| "x".into()),
                }),
            )
            .await;
            assert!(
                matches!(r, Err(Error::InvalidRow { row: 7, .. })),
                "required {r:?}"
            );
            t
        },
    )
    .await;
}

#[tokio::test]
async fn bulk_stream_probes_timestamps_and_defaults() {
    on_every_backend(
        "bulk_stream_probes_timestamps_and_defaults",
        |t: TestDb| async move {
            let db = &t.db;
            schema(db).await;
            let before = Utc::now() - chrono::Duration::seconds(2);
            let n = PStamped::bulk_insert(
                db,
                (0..3000).map(|i| PStampedCreate {
                    code: format!("c{i}"),
                    level: if i % 2 == 0 {
                        Patch::Set(1)
                    } else {
                        Patch::Absent
                    },
                }),
            )
            .await
            .expect("stamped");
            assert_eq!(n, 3000, "{:?}", t.dialect);
            let rows = PStamped::query().all(db).await.expect("read");
            assert_eq!(rows.len(), 3000);
            for r in &rows {
                assert!(r.created_at >= before, "{:?} {r:?}", t.dialect);
                assert_eq!(r.created_at.naive_utc(), r.updated_at, "{:?}", t.dialect);
            }
            assert_eq!(
                rows.iter().map(|r| i64::from(r.level)).sum::<i64>(),
                1500 + 7 * 1500
            );

            // Every column defaulted: one row per statement.
            let n =
                PDefaults::bulk_insert(db, (0..5).map(|_| PDefaultsCreate { a: Patch::Absent }))
                    .await
                    .expect("defaults");
            assert_eq!(n, 5, "{:?}", t.dialect);
            let n = PDefaults::bulk_insert(
                db,
                (0..6).map(|i| PDefaultsCreate {
                    a: if i % 3 == 0 {
                        Patch::Absent
                    } else {
                        Patch::Set(i)
                    },
                }),
            )
            .await
            .expect("mixed defaults");
            assert_eq!(n, 6, "{:?}", t.dialect);
            assert_eq!(PDefaults::count(db, Expr::all()).await.expect("count"), 11);
            t
        },
    )
    .await;
}

fn plain(i: usize) -> PPlainCreate {
    PPlainCreate {
        code: format!("c{i}"),
        level: if i.is_multiple_of(3) {
            Patch::Absent
        } else {
            Patch::Set(1)
        },
        body: None,
    }
}

#[tokio::test]
async fn bulk_stream_probes_in_caller_tx() {
    on_every_backend("bulk_stream_probes_in_caller_tx", |t: TestDb| async move {
        let db = &t.db;
        schema(db).await;
        let dialect = t.dialect;
        // A failed bulk call fails the caller's transaction on every
        // backend: later calls and the commit say so, nothing is written.
        let out: Result<(), Error> = db
            .transaction(|tx: Tx| async move {
                PPlain::bulk_insert(&tx, (0..10).map(plain)).await?;
                // A duplicate in the middle of a 30,000-row stream.
                let failed = PPlain::bulk_insert(
                    &tx,
                    (100..30_100).map(|i| if i == 25_000 { plain(5) } else { plain(i) }),
                )
                .await;
                assert!(
                    matches!(failed, Err(Error::UniqueViolation { .. })),
                    "{dialect:?} {failed:?}"
                );
                let after = PPlain::bulk_insert(&tx, (40_000..40_020).map(plain)).await;
                assert!(
                    matches!(after, Err(Error::TxAborted { .. })),
                    "{dialect:?} {after:?}"
                );
                after.map(|_| ())
            })
            .await;
        assert!(
            matches!(out, Err(Error::TxAborted { .. })),
            "{dialect:?} {out:?}"
        );
        assert_eq!(
            PPlain::count(db, Expr::all()).await.expect("count"),
            0,
            "{dialect:?}"
        );

        // The same failure inside a savepoint: undone alone, the rest commits.
        db.transaction(|tx: Tx| async move {
            PPlain::bulk_insert(&tx, (0..10).map(plain)).await?;
            let failed = tx
                .transaction(|sp: Tx| async move {
                    PPlain::bulk_insert(
                        &sp,
                        (100..30_100).map(|i| if i == 25_000 { plain(5) } else { plain(i) }),
                    )
                    .await
                })
                .await;
            assert!(
                matches!(failed, Err(Error::UniqueViolation { .. })),
                "{dialect:?} {failed:?}"
            );
            assert_eq!(PPlain::bulk_insert(&tx, std::iter::empty()).await?, 0);
            let n = PPlain::bulk_insert(&tx, (40_000..40_020).map(plain)).await?;
            assert_eq!(n, 20);
            assert_eq!(
                PPlain::count(&tx, Expr::all()).await?,
                30,
                "{dialect:?} inside"
            );
            Ok::<_, Error>(())
        })
        .await
        .expect("savepoint form");
        assert_eq!(
            PPlain::count(db, Expr::all()).await.expect("count"),
            30,
            "{dialect:?}"
        );
        t
    })
    .await;
}

#[tokio::test]
async fn bulk_stream_probes_panicking_iterator() {
    on_every_backend(
        "bulk_stream_probes_panicking_iterator",
        |t: TestDb| async move {
            let db = &t.db;
            schema(db).await;
            let handle = {
                let db = db.clone();
                tokio::spawn(async move {
                    PPlain::bulk_insert(
                        &db,
                        (0..40_000).map(|i| {
                            if i == 35_000 {
                                panic!("iterator boom");
                            }
                            plain(i)
                        }),
                    )
                    .await
                })
            };
            assert!(handle.await.is_err());
            let mut left = None;
            for _ in 0..50 {
                match PPlain::count(db, Expr::all()).await {
                    Ok(n) => {
                        left = Some(n);
                        break;
                    }
                    Err(e) if e.is_retryable() => {
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await
                    }
                    Err(e) => panic!("{:?} {e}", t.dialect),
                }
            }
            assert_eq!(left, Some(0), "{:?}", t.dialect);
            PPlain::bulk_insert(db, (0..5).map(plain))
                .await
                .expect("after panic");
            assert_eq!(
                PPlain::count(db, Expr::all()).await.expect("count"),
                5,
                "{:?}",
                t.dialect
            );
            t
        },
    )
    .await;
}

#[tokio::test]
async fn bulk_stream_probes_mysql_carry() {
    on_every_backend("bulk_stream_probes_mysql_carry", |t: TestDb| async move {
        let db = &t.db;
        schema(db).await;
        // ~20 KB rows: several statements per 1,000 on MariaDB's 16 MiB
        // packet; the column set changes around the carried rows.
        let big = "y".repeat(20_000);
        let n = PPlain::bulk_insert(
            db,
            (0..2_000).map(|i| PPlainCreate {
                code: format!("c{i}"),
                level: if (i / 7) % 2 == 0 {
                    Patch::Set(1)
                } else {
                    Patch::Absent
                },
                body: Some(big.clone()),
            }),
        )
        .await
        .expect("big");
        assert_eq!(n, 2_000, "{:?}", t.dialect);
        let rows = PPlain::query().all(db).await.expect("read");
        assert_eq!(rows.len(), 2_000);
        let expected: i64 = (0..2_000)
            .map(|i| if (i / 7) % 2 == 0 { 1 } else { 7 })
            .sum();
        assert_eq!(
            rows.iter().map(|r| i64::from(r.level)).sum::<i64>(),
            expected
        );
        assert!(
            rows.iter()
                .all(|r| r.body.as_deref().map(str::len) == Some(20_000))
        );
        t
    })
    .await;
}
