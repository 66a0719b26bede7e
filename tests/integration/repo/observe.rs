//! Seeing every statement: the statement observer, tracing spans, N+1
//! detection, slow statements, health, start-up retry and timeouts, on
//! every backend.

use std::time::{Duration, Instant};

use entable::backend::Dialect;
use entable::dto::Patch;
use entable::observe::{NPlusOne, Watch};
use entable::prelude::*;
use entable::{ConnectRetry, Error, PoolConfig, RawSql};
use tracing::Instrument;

use super::blog::*;
use crate::support::proxy::Proxy;
use crate::support::statements::StatementCounter;
use crate::support::{TestDb, announce, on_every_backend};

async fn seed(db: &Db, authors: usize) -> Vec<Author> {
    let mut out = Vec::new();
    for a in 0..authors {
        let author = Author::create(
            db,
            AuthorCreate {
                name: format!("author {a}"),
                hair_color: None,
            },
        )
        .await
        .expect("author");
        for p in 0..2 {
            let post = PostCreate {
                author_id: author.id,
                editor_id: None,
                title: format!("post {a}.{p}"),
                body: None,
                likes: Patch::Set(p),
            };
            Post::create(db, post).await.expect("post");
        }
        out.push(author);
    }
    out
}

#[tokio::test]
async fn the_observer_lists_every_statement_of_its_block() {
    on_every_backend(
        "the_observer_lists_every_statement_of_its_block",
        |t: TestDb| async move {
            let db = &t.db;
            schema(db).await;
            let authors = seed(db, 3).await;
            let id = authors[0].id;

            // One statement for a get, with its table, rows and the line of
            // the call here.
            let (found, log) = entable::observe(Author::get(db, id)).await;
            assert_eq!(found.expect("get").map(|a| a.name), Some("author 0".into()));
            assert_eq!((log.count(), log.control_count()), (1, 0), "{}", t.dialect);
            let get = &log.statements()[0];
            assert_eq!(get.verb(), "SELECT");
            assert_eq!(get.table(), Some(Author::table().name));
            assert_eq!(get.rows, Some(1));
            assert_eq!((get.entity, get.call), ("Author", "get"));
            assert_eq!(get.caller.map(|c| c.file()), Some(file!()));
            assert!(get.error.is_none());
            assert_eq!(get.system, t.dialect.system_name());

            // A transaction: BEGIN and COMMIT listed, marked as control.
            let (created, log) = entable::observe(async {
                let tx = db.begin().await?;
                let author = Author::create(
                    &tx,
                    AuthorCreate {
                        name: "in tx".into(),
                        hair_color: None,
                    },
                )
                .await?;
                tx.commit().await?;
                Ok::<_, Error>(author)
            })
            .await;
            created.expect("created in a transaction");
            let texts = log.texts();
            assert_eq!(texts.first(), Some(&"BEGIN"), "{texts:?}");
            assert_eq!(texts.last(), Some(&"COMMIT"), "{texts:?}");
            // PostgreSQL reads the transaction's id before COMMIT (to learn
            // the outcome of a COMMIT whose answer is lost): control too.
            let control = if t.dialect == Dialect::Postgres { 3 } else { 2 };
            assert_eq!(log.control_count(), control, "{texts:?}");
            // MySQL has no RETURNING: the row is read back.
            let expected = if t.dialect == Dialect::MySql { 2 } else { 1 };
            assert_eq!(log.count(), expected, "{}: {texts:?}", t.dialect);

            // An eager load: one statement per level.
            let tx = db.begin().await.expect("begin");
            let (loaded, log) = entable::observe(
                Author::query()
                    .with(Author::POSTS.with(Post::COMMENTS))
                    .all(&tx),
            )
            .await;
            assert_eq!(loaded.expect("loaded").len(), 4);
            assert_eq!(log.count(), 3, "{}: {:?}", t.dialect, log.texts());
            tx.commit().await.expect("commit");

            // A bulk insert that fits one statement: that statement alone.
            let comments = (0..3).map(|c| CommentCreate {
                post_id: 1,
                text: format!("bulk {c}"),
            });
            let (inserted, log) = entable::observe(Comment::bulk_insert(db, comments)).await;
            assert_eq!(inserted.expect("bulk"), 3);
            assert_eq!(
                (log.count(), log.control_count()),
                (1, 0),
                "{:?}",
                log.texts()
            );
            assert_eq!(log.statements()[0].rows, Some(3));

            // A failed statement carries its error kind.
            let (dup, log) = entable::observe(Author::create(
                db,
                AuthorCreate {
                    name: "author 0".into(),
                    hair_color: None,
                },
            ))
            .await;
            assert!(matches!(dup, Err(Error::UniqueViolation { .. })));
            assert_eq!(log.statements()[0].error, Some("unique_violation"));
            t
        },
    )
    .await;
}

#[tokio::test]
async fn concurrent_blocks_see_only_their_own_statements() {
    on_every_backend(
        "concurrent_blocks_see_only_their_own_statements",
        |t: TestDb| async move {
            let db = t.db.clone();
            schema(&db).await;
            let authors = seed(&db, 2).await;
            let (a, b) = (authors[0].id, authors[1].id);
            // Two blocks in one task (join!) and two in spawned tasks.
            let gets = |n: usize, id: i64| {
                let db = db.clone();
                async move {
                    for _ in 0..n {
                        Author::get(&db, id).await.expect("get");
                    }
                }
            };
            let ((_, one), (_, two)) = tokio::join!(
                Watch::new().collect().run(gets(7, a)),
                Watch::new().collect().run(gets(3, b)),
            );
            assert_eq!((one.count(), two.count()), (7, 3));
            let spawned: Vec<_> = [4usize, 9]
                .into_iter()
                .map(|n| tokio::spawn(Watch::new().collect().run(gets(n, a))))
                .collect();
            let mut counts = Vec::new();
            for task in spawned {
                counts.push(task.await.expect("task").1.count());
            }
            assert_eq!(counts, [4, 9]);
            // A task spawned inside a block is not part of it.
            let (_, log) = entable::observe(async {
                tokio::spawn(gets(5, b)).await.expect("spawned");
                Author::get(&db, a).await.expect("get");
            })
            .await;
            assert_eq!(log.count(), 1);
            t
        },
    )
    .await;
}

#[tokio::test]
async fn n_plus_one_warns_once_and_fails_in_strict_mode() {
    let tracing = StatementCounter::global();
    on_every_backend(
        "n_plus_one_warns_once_and_fails_in_strict_mode",
        move |t: TestDb| async move {
            let db = &t.db;
            schema(db).await;
            let authors = seed(db, 20).await;
            let keys: Vec<i64> = authors.iter().map(|a| a.id).collect();

            // A loop of 20 gets: one warning, naming this file.
            let (span, capture) = tracing.capture();
            let ((), log) = entable::observe(async {
                for key in &keys {
                    Author::get(db, *key).await.expect("get");
                }
            })
            .instrument(span)
            .await;
            assert_eq!(log.count(), 20);
            let warnings = capture.events_of("entable::n_plus_one");
            assert_eq!(warnings.len(), 1, "{}: {warnings:?}", t.dialect);
            let caller = warnings[0].field("caller").unwrap_or_default().to_owned();
            assert!(caller.starts_with(file!()), "{caller}");
            assert_eq!(warnings[0].field("calls"), Some("5"));
            assert_eq!(warnings[0].field("entity"), Some("Author"));

            // Strict: the fifth call fails before its statement is sent.
            let (outcomes, log) = Watch::new()
                .collect()
                .n_plus_one(NPlusOne::strict(5))
                .run(async {
                    let mut outcomes = Vec::new();
                    for key in &keys[..6] {
                        outcomes.push(Author::get(db, *key).await);
                    }
                    outcomes
                })
                .await;
            assert!(outcomes[..4].iter().all(Result::is_ok));
            match &outcomes[4] {
                Err(Error::NPlusOne {
                    calls,
                    caller,
                    context,
                    ..
                }) => {
                    assert_eq!(*calls, 5);
                    assert_eq!(caller.map(|c| c.file()), Some(file!()));
                    assert_eq!((context.entity, context.operation), ("Author", "get"));
                }
                other => panic!("{}: expected Error::NPlusOne, got {other:?}", t.dialect),
            }
            // A shape is reported once: later calls in the block go through.
            assert!(outcomes[5].is_ok());
            // Four gets, the refused one not sent, the sixth.
            assert_eq!(log.count(), 5, "the refused statement was not sent");

            // No false positives: get_many batches, eager-load levels and
            // bulk chunks are one call each.
            let (done, _) = Watch::new()
                .n_plus_one(NPlusOne::strict(2))
                .run(async {
                    let many = Author::get_many(db, keys.clone()).await?;
                    let loaded = Author::query()
                        .with(Author::POSTS.with(Post::COMMENTS))
                        .all(db)
                        .await?;
                    let rows = (0..2500).map(|c| CommentCreate {
                        post_id: 1,
                        text: format!("c{c}"),
                    });
                    let inserted = Comment::bulk_insert(db, rows).await?;
                    let page = Post::search(db, &PostSearch::default()).await?;
                    Ok::<_, Error>((many.len(), loaded.len(), inserted, page.items.len()))
                })
                .await;
            let (many, loaded, inserted, _) = done.expect("no N+1 reported");
            assert_eq!((many, loaded, inserted), (20, 20, 2500));
            t
        },
    )
    .await;
}

#[tokio::test]
async fn slow_statements_warn_with_the_callers_line() {
    let tracing = StatementCounter::global();
    on_every_backend(
        "slow_statements_warn_with_the_callers_line",
        move |t: TestDb| async move {
            let db = &t.db;
            schema(db).await;
            let id = seed(db, 1).await[0].id;
            let (span, capture) = tracing.capture();
            async {
                Author::get(db, id).await.expect("not slow");
                db.set_slow_statement(Some(Duration::from_nanos(1)));
                Author::get(db, id).await.expect("slow");
                db.set_slow_statement(None);
                Author::get(db, id).await.expect("not slow again");
            }
            .instrument(span)
            .await;
            let slow = capture.events_of("entable::slow");
            assert_eq!(slow.len(), 1, "{}: {slow:?}", t.dialect);
            let event = &slow[0];
            assert!(
                event
                    .field("caller")
                    .unwrap_or_default()
                    .starts_with(file!())
            );
            assert_eq!(
                event.field("db.collection.name"),
                Some(Author::table().name)
            );
            assert_eq!(event.field("entable.entity"), Some("Author"));
            assert!(event.field("duration_ms").is_some());
            assert_eq!(event.field("entable.shape").map(str::len), Some(16));
            t
        },
    )
    .await;
}

#[tokio::test]
async fn spans_carry_the_database_fields() {
    let tracing = StatementCounter::global();
    on_every_backend(
        "spans_carry_the_database_fields",
        move |t: TestDb| async move {
            let db = &t.db;
            schema(db).await;
            let id = seed(db, 1).await[0].id;
            let system = t.dialect.system_name();
            let (span, capture) = tracing.capture();
            async {
                Author::get(db, id).await.expect("get");
                let tx = db.begin().await.expect("begin");
                let dup = AuthorCreate {
                    name: "author 0".into(),
                    hair_color: None,
                };
                assert!(Author::create(&tx, dup).await.is_err());
                tx.rollback().await.expect("rollback");
            }
            .instrument(span)
            .await;

            let operations = capture.spans_named("entable.operation");
            let get = &operations[0];
            assert_eq!(get.field("otel.name"), Some("Author::get"));
            assert_eq!(get.field("entable.entity"), Some("Author"));
            assert_eq!(get.field("entable.operation"), Some("get"));
            assert_eq!(get.field("db.system.name"), Some(system));
            assert_eq!(get.field("code.file.path"), Some(file!()));
            let failed = operations
                .iter()
                .find(|o| o.field("entable.operation") == Some("create"))
                .expect("the create's span");
            assert_eq!(failed.field("error.type"), Some("unique_violation"));

            let statements = capture.spans_named("entable.statement");
            let select = &statements[0];
            assert_eq!(select.field("db.system.name"), Some(system));
            assert_eq!(select.field("db.operation.name"), Some("SELECT"));
            assert_eq!(
                select.field("db.collection.name"),
                Some(Author::table().name)
            );
            assert_eq!(select.field("db.response.returned_rows"), Some("1"));
            assert_eq!(select.field("entable.shape").map(str::len), Some(16));
            assert!(
                select
                    .field("db.query.text")
                    .is_some_and(|q| q.starts_with("SELECT"))
            );
            assert!(select.field("entable.duration_us").is_some());
            let control: Vec<&str> = statements
                .iter()
                .filter(|s| s.field("entable.control") == Some("true"))
                .filter_map(|s| s.field("db.query.text"))
                .collect();
            assert_eq!(control, ["BEGIN", "ROLLBACK"], "{}", t.dialect);
            let insert = statements
                .iter()
                .find(|s| s.field("db.operation.name") == Some("INSERT"))
                .expect("the INSERT's span");
            assert_eq!(insert.field("error.type"), Some("unique_violation"));
            // Bound values are never recorded.
            let all = format!("{:?}", capture.spans.lock().expect("spans"));
            assert!(!all.contains("author 0"), "a bound value was recorded");
            t
        },
    )
    .await;
}

#[tokio::test]
async fn health_reports_the_server_and_the_pool() {
    on_every_backend(
        "health_reports_the_server_and_the_pool",
        |t: TestDb| async move {
            let health = t.db.health().await.expect("healthy");
            assert!(!health.server_version.is_empty());
            assert!(health.latency < Duration::from_secs(5));
            assert!(health.pool.size >= 1 && health.pool.size <= health.pool.max);
            assert_eq!(health.pool.waiting, 0);
            let tx = t.db.begin().await.expect("begin");
            let busy = t.db.pool_stats();
            assert!(busy.size > busy.idle, "{busy:?}");
            tx.rollback().await.expect("rollback");
            t
        },
    )
    .await;
}

#[tokio::test]
async fn a_statement_past_the_timeout_is_a_typed_error_and_the_pool_goes_on() {
    on_every_backend(
        "a_statement_past_the_timeout_is_a_typed_error_and_the_pool_goes_on",
        |t: TestDb| async move {
            let config = PoolConfig {
                statement_timeout: Some(Duration::from_millis(300)),
                sqlite_driver: crate::support::sqlite_driver(),
                ..PoolConfig::default()
            };
            let db = match t.dialect {
                Dialect::Sqlite => t.db.clone(),
                _ => Db::connect_with(&t.url(), config.clone())
                    .await
                    .expect("connect"),
            };
            let db = if t.dialect == Dialect::Sqlite {
                // The suite's SQLite database is in memory: a pool of its
                // own with the short timeout.
                let _ = db;
                Db::connect_with("sqlite::memory:", config)
                    .await
                    .expect("connect")
            } else {
                db
            };
            let sleep = match t.dialect {
                Dialect::Postgres => "SELECT pg_sleep(3)",
                Dialect::MySql => "SELECT SLEEP(3)",
                Dialect::Sqlite => {
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) \
                     SELECT COUNT(*) FROM n"
                }
            };
            let started = Instant::now();
            let slept = RawSql::new(sleep).execute(&db).await;
            assert!(
                matches!(&slept, Err(e @ Error::Timeout { .. }) if e.is_retryable()),
                "{}: {slept:?}",
                t.dialect
            );
            assert!(started.elapsed() < Duration::from_secs(3));
            let health = db.health().await.expect("the pool goes on");
            assert!(!health.server_version.is_empty());
            t
        },
    )
    .await;
}

#[tokio::test]
async fn connect_waits_for_a_database_that_answers_late() {
    on_every_backend(
        "connect_waits_for_a_database_that_answers_late",
        |t: TestDb| async move {
            if t.dialect == Dialect::Sqlite {
                announce("connect_waits_for_a_database_that_answers_late: not applicable to SQLite (no server)");
                return t;
            }
            let (proxy, url) = Proxy::in_front_of(&t.url()).await;
            proxy.refuse(true);
            // Refused for good: the bounded wait gives up with the error.
            let started = Instant::now();
            let refused =
                Db::connect_retrying(&url, PoolConfig::default(), ConnectRetry::within(Duration::from_millis(400)))
                    .await;
            assert!(refused.is_err());
            assert!(started.elapsed() < Duration::from_secs(5));
            // Answering after 700 ms: the connect waits for it.
            let opener = {
                let proxy = std::sync::Arc::new(proxy);
                let opening = std::sync::Arc::clone(&proxy);
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(700)).await;
                    opening.refuse(false);
                });
                proxy
            };
            let started = Instant::now();
            let db = Db::connect_retrying(&url, PoolConfig::default(), ConnectRetry::within(Duration::from_secs(20)))
                .await
                .expect("connected once the database answers");
            assert!(started.elapsed() >= Duration::from_millis(600));
            assert!(db.health().await.is_ok());
            assert!(opener.accepted() >= 2);
            db.close().await;
            t
        },
    )
    .await;
}
