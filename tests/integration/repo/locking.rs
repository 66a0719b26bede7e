//! Optimistic locking with `#[entity(version)]`: stale writes are refused
//! with `Conflict` and write nothing, and concurrent writers lose no update,
//! on every backend.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use entable::dto::Patch;
use entable::prelude::*;
use entable::{Error, Repo};

use crate::support::on_every_backend;

#[derive(Entity, Debug, Clone)]
pub struct Account {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique, max_length = 40)]
    pub owner: String,
    pub balance: i64,
    #[entity(version)]
    pub version: i64,
}

async fn schema(db: &Db) {
    Schema::of(vec![Account::table()])
        .expect("schema")
        .create_all(db)
        .await
        .expect("created");
}

fn deposit(read: &Account, amount: i64) -> AccountUpdate {
    AccountUpdate {
        balance: Patch::Set(read.balance + amount),
        version: read.version,
        ..Default::default()
    }
}

#[tokio::test]
async fn stale_writes_are_refused() {
    on_every_backend("stale_writes_are_refused", |t| async move {
        let db = &t.db;
        schema(db).await;
        let input = AccountCreate {
            owner: "ann".into(),
            balance: 10,
        };
        let read = Account::create(db, input).await.expect("created");
        assert_eq!(read.version, 1, "versions start at 1");

        let updated = Account::update(db, read.id, deposit(&read, 5))
            .await
            .expect("current version");
        assert_eq!((updated.balance, updated.version), (15, 2));

        // A second writer still holding the first read.
        let error = Account::update(db, read.id, deposit(&read, 100))
            .await
            .expect_err("stale");
        match &error {
            Error::Conflict { context, key } => {
                assert_eq!((context.entity, context.operation), ("Account", "update"));
                assert!(key.contains(&read.id.to_string()), "{error}");
            }
            other => panic!("expected Conflict, got {other:?}"),
        }
        let now = Account::get(db, read.id).await.expect("get").expect("row");
        assert_eq!((now.balance, now.version), (15, 2), "nothing written");

        // An empty patch still checks and raises the version.
        let touched = Account::update(
            db,
            read.id,
            AccountUpdate {
                version: 2,
                ..Default::default()
            },
        )
        .await
        .expect("touch");
        assert_eq!((touched.balance, touched.version), (15, 3));
        let missing = Account::update(db, read.id + 100, deposit(&touched, 1))
            .await
            .expect_err("no row");
        assert!(matches!(missing, Error::NotFound { .. }), "{missing:?}");

        // Deletes are versioned too.
        let error = Account::delete(db, read.id)
            .await
            .expect_err("needs a version");
        assert!(matches!(error, Error::Usage { .. }), "{error:?}");
        let error = Account::delete_version(db, read.id, 1)
            .await
            .expect_err("stale delete");
        assert!(matches!(error, Error::Conflict { .. }), "{error:?}");
        assert!(Account::get(db, read.id).await.expect("get").is_some());
        // Overwriting through an upsert raises the version too.
        let input = AccountCreate {
            owner: "ann".into(),
            balance: 20,
        };
        let upserted = Account::upsert(db, input, Account::OWNER)
            .await
            .expect("upsert");
        assert_eq!((upserted.balance, upserted.version), (20, 4));
        assert!(
            Account::delete_version(db, read.id, 4)
                .await
                .expect("current delete")
        );
        assert!(!Account::delete_version(db, read.id, 4).await.expect("gone"));
        t
    })
    .await;
}

/// Two tasks read the same row, then both write: exactly one wins each
/// round, and the balance equals the sum of the accepted deposits.
#[tokio::test]
async fn concurrent_writers_lose_no_update() {
    on_every_backend("concurrent_writers_lose_no_update", |t| async move {
        let db = &t.db;
        schema(db).await;
        let input = AccountCreate {
            owner: "shared".into(),
            balance: 0,
        };
        let id = Account::create(db, input).await.expect("created").id;
        let accepted = Arc::new(AtomicUsize::new(0));
        const ROUNDS: usize = 25;
        for _ in 0..ROUNDS {
            let barrier = Arc::new(tokio::sync::Barrier::new(2));
            let racers: Vec<_> = (0..2)
                .map(|_| {
                    let (db, barrier, accepted) = (db.clone(), barrier.clone(), accepted.clone());
                    tokio::spawn(async move {
                        let read = Account::get(&db, id).await?.expect("row");
                        barrier.wait().await;
                        loop {
                            match Account::update(&db, id, deposit(&read, 1)).await {
                                Ok(_) => {
                                    accepted.fetch_add(1, Ordering::SeqCst);
                                    return Ok(true);
                                }
                                Err(Error::Conflict { .. }) => return Ok(false),
                                // SQLite's shared in-memory database reports
                                // a table the other writer holds as locked
                                // rather than waiting; nothing was written.
                                Err(error) if error.is_retryable() => {
                                    tokio::task::yield_now().await
                                }
                                Err(other) => return Err(other),
                            }
                        }
                    })
                })
                .collect();
            let mut won = 0;
            for racer in racers {
                if racer.await.expect("task").expect("no other error") {
                    won += 1;
                }
            }
            assert_eq!(won, 1, "exactly one writer per round");
        }
        let last = Account::get(db, id).await.expect("get").expect("row");
        let accepted = accepted.load(Ordering::SeqCst);
        assert_eq!(accepted, ROUNDS);
        assert_eq!(last.balance, i64::try_from(accepted).expect("small"));
        assert_eq!(last.version, 1 + last.balance);
        t
    })
    .await;
}
