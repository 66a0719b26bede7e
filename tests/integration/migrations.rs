//! The committed migrations of the example blog: current with the entities,
//! and applied (and reverted) by sqlx's migrator on every backend.

use std::path::Path;

use entable::backend::Dialect;
use entable::migrate::{self, State};
use entable::schema::snapshot::Snapshot;
use entable::schema::{MigrationDir, Plan, Schema};

#[path = "../../examples/shared/blog.rs"]
pub mod blog;

use crate::support::{introspect, on_every_backend};

#[test]
fn committed_migrations_match_the_entities() {
    // `migrate check` as CI runs it: the entities are what the last
    // migration left.
    let schema = Schema::of(blog::tables()).expect("valid schema");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let dir = MigrationDir::new(&root);
    if let Err(e) = dir.check(&schema) {
        panic!("{e}");
    }
    assert_eq!(
        dir.migrations().expect("same migrations for every dialect"),
        [
            (1, "initial".to_owned()),
            (2, "comments".to_owned()),
            (3, "enum_checks".to_owned())
        ]
    );
    // The first migration is what the tool generates from nothing for the
    // blog before it had comments and CHECK constraints; the second adds
    // the comments, the third the check of its enum column.
    let current = Snapshot::of(&schema);
    let mut unchecked = current.clone();
    for table in &mut unchecked.tables {
        table.checks.clear();
    }
    assert_ne!(unchecked, current, "the blog has checks");
    let mut uncommented = unchecked.clone();
    for table in &mut uncommented.tables {
        table.comment = None;
        for column in &mut table.columns {
            column.comment = None;
        }
    }
    assert_ne!(uncommented, unchecked, "the blog has comments");
    let steps = [
        (1, "initial", Plan::new(&Snapshot::empty(), &uncommented)),
        (2, "comments", Plan::new(&uncommented, &unchecked)),
        (3, "enum_checks", Plan::new(&unchecked, &current)),
    ];
    for dialect in Dialect::ALL {
        for (version, name, plan) in &steps {
            let migration = plan.migration(dialect);
            let [up, down] = migration.file_names(*version, name);
            for (file, expected) in [(up, migration.up_file()), (down, migration.down_file())] {
                let committed = std::fs::read_to_string(root.join(&file))
                    .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                assert_eq!(committed, expected, "{} is stale", file.display());
            }
        }
    }
}

#[tokio::test]
async fn migrations_apply_and_revert_on_every_backend() {
    on_every_backend(
        "migrations_apply_and_revert_on_every_backend",
        |t| async move {
            let dir = MigrationDir::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations"));
            let status = migrate::status(&t.db, &dir).await.expect("status");
            assert_eq!(status.len(), 3);
            assert!(status.iter().all(|s| s.state == State::Pending));
            let mut announced = Vec::new();
            let applied = migrate::run(&t.db, &dir, |step| announced.push(step.name()))
                .await
                .expect("migrations apply");
            assert_eq!(
                announced,
                ["0001_initial", "0002_comments", "0003_enum_checks"]
            );
            assert_eq!(applied.len(), 3);
            assert!(
                migrate::status(&t.db, &dir)
                    .await
                    .expect("status")
                    .iter()
                    .all(|s| s.state == State::Applied)
            );
            assert!(
                migrate::run(&t.db, &dir, |_| {})
                    .await
                    .expect("idempotent")
                    .is_empty()
            );
            let schema = Schema::of(blog::tables()).expect("valid schema");
            let mut expected: Vec<String> =
                schema.tables().iter().map(|t| t.name.to_owned()).collect();
            expected.sort();
            assert_eq!(introspect::table_names(&t.db).await, expected);
            for table in schema.tables() {
                assert_eq!(
                    introspect::table(&t.db, table).await,
                    introspect::expected(t.dialect, table),
                    "{}: migrated table `{}`",
                    t.dialect,
                    table.name
                );
                if let Some(comments) = introspect::comments(&t.db, table).await {
                    assert_eq!(
                        comments,
                        introspect::expected_comments(table),
                        "{}: comments of `{}`",
                        t.dialect,
                        table.name
                    );
                }
            }
            // What the migrations made is what the entities declare.
            let found = entable::schema::drift(&t.db, &schema).await.expect("drift");
            assert!(
                found.is_empty(),
                "{}: the migrated database drifts: {found:?}",
                t.dialect
            );
            let reverted = migrate::revert(&t.db, &dir, 0, |_| {})
                .await
                .expect("migrations revert");
            assert_eq!(reverted.len(), 3);
            assert!(
                introspect::table_names(&t.db).await.is_empty(),
                "{}: down migration drops everything",
                t.dialect
            );
            t
        },
    )
    .await;
}

/// The snapshot of the example blog: deterministic, readable back, and
/// current in `migrations/schema.json` (`ENTABLE_BLESS=1` rewrites it).
#[test]
fn committed_snapshot_matches_the_entities() {
    let schema = Schema::of(blog::tables()).expect("valid schema");
    let snapshot = Snapshot::of(&schema);
    let json = snapshot.to_json();
    assert_eq!(
        json,
        Snapshot::of(&Schema::of(blog::tables()).expect("schema")).to_json(),
        "deterministic"
    );
    assert_eq!(Snapshot::from_json(&json).expect("reads back"), snapshot);
    let authors = snapshot.table("authors").expect("authors");
    let email = authors
        .columns
        .iter()
        .find(|c| c.name == "email")
        .expect("email");
    assert_eq!(
        (
            email.sql_type.postgres.as_str(),
            email.sql_type.mysql.as_str()
        ),
        ("VARCHAR(255)", "VARCHAR(255)")
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join("schema.json");
    if std::env::var_os("ENTABLE_BLESS").is_some() {
        snapshot.write(&path).expect("written");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        committed,
        json,
        "{} is stale: rerun with ENTABLE_BLESS=1 and review the diff",
        path.display()
    );
    assert!(matches!(
        Snapshot::from_json(&json.replace("\"format\": 1", "\"format\": 99")),
        Err(entable::schema::snapshot::SnapshotError::Format(99))
    ));
}
