//! The committed migrations of the example blog: current with the entities,
//! and applied (and reverted) by sqlx's migrator on every backend.

use std::path::{Path, PathBuf};

use entable::backend::Dialect;
use entable::migrate::Migrator;
use entable::schema::Schema;

#[path = "../../examples/shared/blog.rs"]
mod blog;

use crate::support::{introspect, on_every_backend};

fn migrations_dir(dialect: Dialect) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dialect.name())
}

#[test]
fn committed_migrations_match_the_entities() {
    let schema = Schema::of(blog::tables()).expect("valid schema");
    for dialect in Dialect::ALL {
        let migration = schema.initial_migration(dialect);
        let [up, down] = migration.file_names(1, "initial");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        for (file, expected) in [(up, migration.up_file()), (down, migration.down_file())] {
            let committed = std::fs::read_to_string(root.join(&file))
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            assert_eq!(
                committed,
                expected,
                "{} is stale: run `cargo run --example schema -- write-migrations`",
                file.display()
            );
        }
    }
}

#[tokio::test]
async fn migrations_apply_and_revert_on_every_backend() {
    on_every_backend(
        "migrations_apply_and_revert_on_every_backend",
        |t| async move {
            let migrator = Migrator::new(migrations_dir(t.dialect))
                .await
                .expect("migrations readable");
            macro_rules! with_pool {
                (|$pool:ident| $body:expr) => {
                    match t.dialect {
                        Dialect::Postgres => {
                            let $pool = t.db.as_postgres().expect("pg");
                            $body
                        }
                        Dialect::MySql => {
                            let $pool = t.db.as_mysql().expect("mysql");
                            $body
                        }
                        Dialect::Sqlite => {
                            let $pool = t.db.as_sqlite().expect("sqlite");
                            $body
                        }
                    }
                };
            }
            with_pool!(|pool| migrator.run(pool).await.expect("migrations apply"));
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
            }
            with_pool!(|pool| migrator.undo(pool, 0).await.expect("migrations revert"));
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
