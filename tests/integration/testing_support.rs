//! `entable::testing` used as a user would: `#[entable::test]` bodies on a
//! fresh database per backend, seeding from JSON and SQL, and the test
//! databases gone from their servers afterwards — after a pass, a failure
//! and a panic alike.

use std::panic::{AssertUnwindSafe, catch_unwind};

use entable::Error;
use entable::backend::Dialect;
use entable::prelude::*;
use entable::testing::{TestBackend, TestDatabase, seed, seed_json};

#[derive(Entity, Debug, Clone, PartialEq)]
#[entity(table = "ts_shelves")]
pub struct Shelf {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique, max_length = 40)]
    pub label: String,
}

#[derive(Entity, Debug, Clone, PartialEq)]
#[entity(table = "ts_books")]
pub struct Book {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(max_length = 200)]
    pub title: String,
    pub pages: i32,
    #[entity(references = Shelf, index)]
    pub shelf_id: i64,
}

fn library() -> Result<Schema, entable::schema::SchemaError> {
    Schema::of([Shelf::table(), Book::table()])
}

/// The user-facing form: one body, every configured backend, a database
/// of its own each time (the counts start from zero on each).
#[entable::test(schema = library)]
async fn attribute_runs_on_a_fresh_database(db: Db) -> entable::Result<()> {
    assert_eq!(Book::search(&db, &BookSearch::default()).await?.total, 0);
    let shelves = seed_json::<Shelf>(&db, r#"[{"label": "novels"}, {"label": "poems"}]"#).await?;
    let books = seed::<Book>(
        &db,
        (1..=3)
            .map(|n| BookCreate {
                title: format!("book {n}"),
                pages: 100 * n,
                shelf_id: shelves[0].id,
            })
            .collect(),
    )
    .await?;
    assert_eq!(books.len(), 3);
    assert_eq!(books[2].pages, 300);
    let search: BookSearch =
        entable::dto::from_json(r#"{"pages": {"gte": 200}}"#).map_err(|e| Error::Usage {
            context: Default::default(),
            reason: e.to_string(),
        })?;
    assert_eq!(Book::search(&db, &search).await?.total, 2);
    // The schema's foreign key is there: a book on no shelf is refused.
    let orphan = Book::create(
        &db,
        BookCreate {
            title: "lost".into(),
            pages: 1,
            shelf_id: 999,
        },
    )
    .await;
    assert!(
        matches!(orphan, Err(Error::ForeignKeyViolation { .. })),
        "{orphan:?}"
    );
    Ok(())
}

/// A body returning `()` is accepted too.
#[entable::test(schema = library)]
async fn attribute_accepts_unit_bodies(db: Db) {
    let shelf = Shelf::create(&db, ShelfCreate { label: "x".into() })
        .await
        .expect("create");
    assert_eq!(shelf.label, "x");
}

/// Whether the database `name` still exists on the server behind
/// `backend` (for SQLite, as a file in the temporary directory).
async fn exists_on_server(backend: &TestBackend, name: &str) -> bool {
    let url = match backend {
        TestBackend::Sqlite => {
            return std::env::temp_dir()
                .join(format!("{name}.sqlite3"))
                .exists();
        }
        TestBackend::SqliteMemory => return false,
        TestBackend::Postgres(url) | TestBackend::MySql(url) => url,
    };
    let admin = Db::connect(url).await.expect("admin connection");
    let sql = match backend.dialect() {
        Dialect::Postgres => "SELECT COUNT(*) FROM pg_database WHERE datname = ?",
        _ => "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?",
    };
    let count = crate::scalar!(admin, i64, sql, name.to_owned())
        .expect("catalog query")
        .unwrap_or(0);
    admin.close().await;
    count == 1
}

/// Each test database is its own: two at once do not see each other's
/// rows, and each is gone from the server after `drop_database`, after
/// `Drop` (a test that returned early) and after a panicking body.
#[tokio::test]
async fn test_databases_are_isolated_and_dropped() {
    let mut covered = Vec::new();
    for backend in TestBackend::from_env() {
        let schema = library().expect("schema");
        let a = TestDatabase::with_schema(&backend, &schema)
            .await
            .expect("first database");
        let b = TestDatabase::with_schema(&backend, &schema)
            .await
            .expect("second database");
        assert_ne!(a.name(), b.name());
        seed_json::<Shelf>(a.db(), r#"[{"label": "only in a"}]"#)
            .await
            .expect("seed a");
        let in_b = Shelf::search(b.db(), &ShelfSearch::default())
            .await
            .expect("search b");
        assert_eq!(in_b.total, 0, "{}: databases are shared", backend.dialect());

        let (name_a, name_b) = (a.name().to_owned(), b.name().to_owned());
        assert!(exists_on_server(&backend, &name_a).await);
        a.drop_database().await.expect("drop a");
        assert!(
            !exists_on_server(&backend, &name_a).await,
            "{name_a} left behind"
        );
        drop(b);
        assert!(
            !exists_on_server(&backend, &name_b).await,
            "{name_b} left behind by Drop"
        );

        // A panicking test: the database is dropped while unwinding.
        let c = TestDatabase::create(&backend)
            .await
            .expect("third database");
        let name_c = c.name().to_owned();
        let panicked = tokio::spawn(async move {
            let _c = c;
            panic!("the test failed");
        })
        .await;
        assert!(panicked.is_err());
        assert!(
            !exists_on_server(&backend, &name_c).await,
            "{name_c} left behind by a panic"
        );
        covered.push(backend.dialect().name());
    }
    crate::support::announce(&format!(
        "test_databases_are_isolated_and_dropped: ran on {}",
        covered.join(", ")
    ));
}

/// A failing body fails the test naming the backend, and its database is
/// dropped; SQL scripts and malformed fixtures.
#[test]
fn failures_name_the_backend() {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        entable::testing::run("failing", library, |db: Db| async move {
            Shelf::create(
                &db,
                ShelfCreate {
                    label: "dup".into(),
                },
            )
            .await?;
            Shelf::create(
                &db,
                ShelfCreate {
                    label: "dup".into(),
                },
            )
            .await?;
            Ok::<(), Error>(())
        })
    }));
    let panic = outcome.expect_err("a failing body fails the test");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    let first = TestBackend::from_env()[0].dialect();
    assert!(
        message.starts_with(&format!("failing failed on {first}"))
            && message.contains("UniqueViolation"),
        "{message}"
    );
}

#[tokio::test]
async fn scripts_and_fixtures_seed() {
    let mut covered = Vec::new();
    for backend in TestBackend::from_env() {
        let test = TestDatabase::with_schema(&backend, &library().expect("schema"))
            .await
            .expect("database");
        let quoted = |t: &str| {
            let mut out = String::new();
            backend.dialect().quote_ident(&mut out, t);
            out
        };
        test.execute_script(&format!(
            "INSERT INTO {s} ({l}) VALUES ('a'); INSERT INTO {s} ({l}) VALUES ('b');",
            s = quoted("ts_shelves"),
            l = quoted("label"),
        ))
        .await
        .expect("script");
        let shelves = Shelf::search(test.db(), &ShelfSearch::default())
            .await
            .expect("search");
        assert_eq!(shelves.total, 2);

        let bad = seed_json::<Shelf>(test.db(), r#"[{"label": "ok"}, {"label": 7}]"#).await;
        match bad {
            Err(Error::Usage { reason, .. }) => {
                assert!(reason.contains("label"), "{reason}")
            }
            other => panic!("a malformed fixture: {other:?}"),
        }
        // Seeding is all or nothing: an invalid row leaves no rows behind.
        let dup = seed_json::<Shelf>(test.db(), r#"[{"label": "c"}, {"label": "a"}]"#).await;
        assert!(matches!(dup, Err(Error::UniqueViolation { .. })), "{dup:?}");
        let after = Shelf::search(test.db(), &ShelfSearch::default())
            .await
            .expect("search");
        assert_eq!(after.total, 2, "the failed seed left rows");
        test.drop_database().await.expect("drop");
        covered.push(backend.dialect().name());
    }
    crate::support::announce(&format!(
        "scripts_and_fixtures_seed: ran on {}",
        covered.join(", ")
    ));
}
