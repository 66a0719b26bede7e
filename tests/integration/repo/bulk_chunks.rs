//! Audited and validated `bulk_insert` runs in chunks of 10,000 rows
//! inside one transaction: a failure in a later chunk (a rule, a
//! constraint) leaves no row and no audit record of the earlier ones, and
//! the error names the row's index in the whole input.

use entable::Error;
use entable::prelude::*;

use crate::support::{TestDb, on_every_backend};

#[derive(Entity, Debug, Clone)]
#[entity(audit)]
pub struct Chunked {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique)]
    pub code: String,
    #[validate(range(min = 0))]
    pub n: i32,
}

fn row(i: usize) -> ChunkedCreate {
    ChunkedCreate {
        code: format!("c{i}"),
        n: i as i32,
    }
}

/// Rows of `Chunked` and audit records in the database.
async fn counts(db: &Db) -> (i64, i64) {
    let rows = Chunked::count(db, Expr::all()).await.expect("count");
    let records = crate::scalar!(db, i64, r#"SELECT COUNT(*) FROM "entable_audit""#)
        .expect("audit count")
        .expect("one row");
    (rows as i64, records)
}

const N: usize = 25_000;

#[tokio::test]
async fn chunked_bulk_insert_is_all_or_nothing() {
    on_every_backend(
        "chunked_bulk_insert_is_all_or_nothing",
        |t: TestDb| async move {
            let db = &t.db;
            let dialect = t.dialect;
            Schema::of(vec![Chunked::table()])
                .expect("schema")
                .create_all(db)
                .await
                .expect("created");

            // A rule broken in the third chunk: the first two are undone.
            let invalid = Chunked::bulk_insert(
                db,
                (0..N).map(|i| ChunkedCreate {
                    n: if i == 23_456 { -1 } else { i as i32 },
                    ..row(i)
                }),
            )
            .await;
            assert!(
                matches!(invalid, Err(Error::InvalidRow { row: 23_456, .. })),
                "{dialect}: {invalid:?}"
            );
            assert_eq!(counts(db).await, (0, 0), "{dialect}: after a bad row");

            // A constraint broken in the third chunk: the same.
            let duplicate = Chunked::bulk_insert(
                db,
                (0..N).map(|i| if i == 21_000 { row(5) } else { row(i) }),
            )
            .await;
            assert!(
                matches!(duplicate, Err(Error::UniqueViolation { .. })),
                "{dialect}: {duplicate:?}"
            );
            assert_eq!(counts(db).await, (0, 0), "{dialect}: after a duplicate");

            // Inside a caller's transaction a bad row fails the call alone, as
            // when rows were validated before any statement: the rest commits.
            db.transaction(|tx: Tx| async move {
                Chunked::bulk_insert(&tx, (0..10).map(row)).await?;
                let failed = Chunked::bulk_insert(
                    &tx,
                    (10..N).map(|i| ChunkedCreate {
                        n: if i == N - 1 { -1 } else { i as i32 },
                        ..row(i)
                    }),
                )
                .await;
                assert!(
                    matches!(failed, Err(Error::InvalidRow { row, .. }) if row == N - 11),
                    "{dialect}: {failed:?}"
                );
                Ok::<_, Error>(())
            })
            .await
            .expect("the caller's transaction commits");
            assert_eq!(counts(db).await, (10, 10), "{dialect}: in a transaction");

            // Across chunks, every row has its record and rows come back in
            // input order.
            let inserted = Chunked::bulk_insert(db, (10..N).map(row))
                .await
                .expect("inserted");
            assert_eq!(inserted, (N - 10) as u64);
            assert_eq!(counts(db).await, (N as i64, N as i64), "{dialect}: loaded");
            let created = Chunked::bulk_create(db, (N..N + 12_000).map(row).collect())
                .await
                .expect("bulk_create");
            assert_eq!(created.len(), 12_000);
            assert!(
                created
                    .iter()
                    .enumerate()
                    .all(|(i, c)| c.code == format!("c{}", N + i)),
                "{dialect}: input order"
            );
            assert_eq!(
                counts(db).await,
                ((N + 12_000) as i64, (N + 12_000) as i64),
                "{dialect}: created"
            );
            t
        },
    )
    .await;
}
