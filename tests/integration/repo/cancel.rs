//! A call dropped half-way (its future cancelled by the caller) leaves no
//! connection inside a transaction, and a small pool under many concurrent
//! writers finishes every write — on every backend.

use std::time::Duration;

use entable::prelude::*;
use entable::testing::{TestBackend, TestDatabase};
use entable::{PoolConfig, Repo};

use crate::support::{TestDb, on_every_backend};

/// An entity whose change waits in its after-hook: a call cut there has
/// inserted its row inside the change's own transaction.
#[derive(Entity, Debug, Clone)]
#[entity(hooks)]
pub struct Waiting {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub name: String,
}

impl Hooks for Waiting {
    async fn after_create(_exec: Exec<'_>, _row: &Waiting) -> entable::Result<()> {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok(())
    }
}

#[derive(Entity, Debug, Clone)]
pub struct Plain {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub name: String,
}

/// A database other connections can see: the suite's SQLite database
/// lives in one in-memory connection, so SQLite gets a file here.
async fn shared(t: &TestDb) -> (Option<TestDatabase>, String) {
    if t.dialect == Dialect::Sqlite {
        let file = TestDatabase::create(&TestBackend::Sqlite)
            .await
            .expect("a SQLite file");
        let url = file.url().expect("a file database has a URL");
        (Some(file), url)
    } else {
        (None, t.url())
    }
}

#[tokio::test]
async fn a_cancelled_change_leaves_no_transaction_open() {
    on_every_backend(
        "a_cancelled_change_leaves_no_transaction_open",
        |t| async move {
            let (file, url) = shared(&t).await;
            let config = PoolConfig {
                max_connections: 1,
                ..Default::default()
            };
            let one = Db::connect_with(&url, config).await.expect("pool of one");
            Schema::of([Waiting::table(), Plain::table()])
                .expect("schema")
                .create_all(&one)
                .await
                .expect("created");

            let cut = tokio::time::timeout(
                Duration::from_millis(300),
                Waiting::create(&one, WaitingCreate { name: "cut".into() }),
            )
            .await;
            assert!(cut.is_err(), "the call was still waiting in its hook");

            // The pool's only connection again: if it were still inside the
            // cut change's transaction, this write would never commit.
            Plain::create(
                &one,
                PlainCreate {
                    name: "after".into(),
                },
            )
            .await
            .expect("next call on the same connection");

            let other = Db::connect(&url).await.expect("a second pool");
            let plain = Plain::count(&other, Expr::all()).await.expect("count");
            assert_eq!(plain, 1, "the next call committed on its own");
            let waiting = Waiting::count(&other, Expr::all()).await.expect("count");
            assert_eq!(waiting, 0, "the cut change was rolled back");
            other.close().await;
            one.close().await;
            if let Some(file) = file {
                file.drop_database().await.expect("dropped");
            }
            t
        },
    )
    .await;
}

#[tokio::test]
async fn a_small_pool_serves_a_thousand_writers() {
    on_every_backend("a_small_pool_serves_a_thousand_writers", |t| async move {
        let (file, url) = shared(&t).await;
        let config = PoolConfig {
            max_connections: 4,
            ..Default::default()
        };
        let db = Db::connect_with(&url, config).await.expect("pool of four");
        Schema::of([Plain::table()])
            .expect("schema")
            .create_all(&db)
            .await
            .expect("created");
        let tasks: Vec<_> = (0..1_000)
            .map(|i| {
                let db = db.clone();
                tokio::spawn(async move {
                    let row = Plain::create(
                        &db,
                        PlainCreate {
                            name: format!("w{i}"),
                        },
                    )
                    .await?;
                    Plain::get(&db, row.id).await
                })
            })
            .collect();
        for task in tasks {
            let read = task.await.expect("task").expect("no write failed");
            assert!(read.is_some(), "each write reads back");
        }
        assert_eq!(Plain::count(&db, Expr::all()).await.expect("count"), 1_000);
        db.close().await;
        if let Some(file) = file {
            file.drop_database().await.expect("dropped");
        }
        t
    })
    .await;
}
