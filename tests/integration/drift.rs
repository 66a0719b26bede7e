//! Drift against a live database (`schema::drift`, `migrate check
//! --database-url`): a database created from the entities reports nothing;
//! changes made by hand with raw SQL are each reported.

use std::collections::BTreeSet;
use std::process::ExitCode;

use entable::Db;
use entable::backend::Dialect;
use entable::prelude::*;
use entable::schema::{
    Aspect, Drift, DriftKind, DriftOptions, MigrationDir, Object, Schema, ddl, drift, drift_with,
};

use crate::entities;
use crate::support::{TestDb, backends, on_every_backend};

use crate::migrations::blog;

#[derive(Entity, Debug)]
#[entity(table = "drift_author")]
pub struct Author {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique, max_length = 100)]
    pub name: String,
}

/// Defaults of every kind, a unique_live index (a partial index, or
/// MySQL's marker column), a foreign key with its index, a plain index.
#[derive(Entity, Debug)]
#[entity(table = "drift_post", index(title))]
pub struct Post {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(references = Author, on_delete = "cascade", index)]
    pub author_id: i64,
    #[entity(max_length = 200)]
    pub title: String,
    pub views: i32,
    pub note: Option<String>,
    #[entity(unique_live, max_length = 50)]
    pub slug: String,
    #[entity(default = "it's \\ draft")]
    pub state: String,
    #[entity(default = true)]
    pub visible: bool,
    #[entity(default = 2.5)]
    pub weight: f64,
    #[entity(default = -3)]
    pub rank: i16,
    #[entity(default_sql = "CURRENT_TIMESTAMP")]
    pub created_at: DateTime<Utc>,
    #[entity(deleted_at)]
    pub deleted_at: Option<DateTime<Utc>>,
}

/// Declared, never created.
#[derive(Entity, Debug)]
#[entity(table = "drift_absent")]
pub struct Absent {
    #[entity(primary_key)]
    pub id: i64,
}

fn probe() -> Schema {
    Schema::of([Author::table(), Post::table()]).expect("schema")
}

/// The plain index on `drift_post.title`.
fn title_index() -> &'static str {
    Post::table()
        .indexes
        .iter()
        .find(|i| i.columns == ["title"])
        .expect("title index")
        .name
}

fn lines(found: &[Drift]) -> String {
    found.iter().map(|d| format!("\n  {d}")).collect::<String>()
}

#[tokio::test]
async fn databases_created_from_the_entities_report_no_drift() {
    on_every_backend(
        "databases_created_from_the_entities_report_no_drift",
        |t| async move {
            for (name, tables) in [
                ("entities", entities::tables()),
                ("probe", vec![Author::table(), Post::table()]),
                ("blog", blog::tables()),
                ("timestamp", crate::repo::soft_delete::timestamp::tables()),
                (
                    "deleted_flag",
                    crate::repo::soft_delete::deleted_flag::tables(),
                ),
                ("live_flag", crate::repo::soft_delete::live_flag::tables()),
            ] {
                let schema = Schema::of(tables).expect("schema");
                schema.create_all(&t.db).await.expect("created");
                let found = drift(&t.db, &schema).await.expect("drift");
                assert!(
                    found.is_empty(),
                    "{}: {name}: a fresh database drifts:{}",
                    t.dialect,
                    lines(&found)
                );
                schema.drop_all(&t.db).await.expect("dropped");
            }
            t
        },
    )
    .await;
}

/// The raw SQL that changes the probe by hand: drops the index on `title`,
/// widens `views`, makes `note` NOT NULL, drops the foreign key to authors
/// and adds a column. SQLite alters none of that in place but the index
/// and the new column, so its table is rebuilt from entable's own DDL with
/// the changes written in.
fn hand_changes(dialect: Dialect) -> Vec<String> {
    let post = Post::table();
    let index = title_index();
    let fk = post.foreign_keys[0].name;
    match dialect {
        Dialect::Postgres => vec![
            format!(r#"DROP INDEX "{index}""#),
            r#"ALTER TABLE "drift_post" ALTER COLUMN "views" TYPE BIGINT"#.into(),
            r#"ALTER TABLE "drift_post" ALTER COLUMN "note" SET NOT NULL"#.into(),
            format!(r#"ALTER TABLE "drift_post" DROP CONSTRAINT "{fk}""#),
            r#"ALTER TABLE "drift_post" ADD COLUMN "extra" INTEGER"#.into(),
        ],
        Dialect::MySql => vec![
            format!("DROP INDEX `{index}` ON `drift_post`"),
            "ALTER TABLE `drift_post` MODIFY COLUMN `views` BIGINT NOT NULL".into(),
            "ALTER TABLE `drift_post` MODIFY COLUMN `note` LONGTEXT NOT NULL".into(),
            format!("ALTER TABLE `drift_post` DROP FOREIGN KEY `{fk}`"),
            "ALTER TABLE `drift_post` ADD COLUMN `extra` INT".into(),
        ],
        Dialect::Sqlite => {
            let create = ddl::create_table(Dialect::Sqlite, post, false, &[]);
            let fk_line = create
                .lines()
                .find(|l| l.contains("FOREIGN KEY"))
                .expect("inline foreign key")
                .to_owned();
            let rebuilt = create
                .replace(
                    r#"CREATE TABLE "drift_post""#,
                    r#"CREATE TABLE "drift_post_new""#,
                )
                .replace(r#""views" INTEGER NOT NULL"#, r#""views" BIGINT NOT NULL"#)
                .replace(r#""note" TEXT"#, r#""note" TEXT NOT NULL"#)
                .replace(&format!(",\n{fk_line}"), "");
            assert!(!rebuilt.contains(&fk_line) && rebuilt.contains("BIGINT NOT NULL"));
            let mut out = vec![
                rebuilt,
                r#"DROP TABLE "drift_post""#.into(),
                r#"ALTER TABLE "drift_post_new" RENAME TO "drift_post""#.into(),
            ];
            out.extend(
                ddl::create_indexes(Dialect::Sqlite, post, false)
                    .into_iter()
                    .filter(|sql| !sql.contains(&format!(r#""{index}""#))),
            );
            out.push(r#"ALTER TABLE "drift_post" ADD COLUMN "extra" INTEGER"#.into());
            out
        }
    }
}

/// A drift as `table: what`, without the values that differ per dialect.
fn summary(d: &Drift) -> String {
    let what = match &d.kind {
        DriftKind::Missing(o) => format!("missing {o}"),
        DriftKind::Extra(o) => format!("extra {o}"),
        DriftKind::Changed { object, aspect, .. } => format!("changed {object} {aspect}"),
        other => format!("{other:?}"),
    };
    format!("{}: {what}", d.table)
}

#[tokio::test]
async fn changes_made_by_hand_are_reported() {
    on_every_backend("changes_made_by_hand_are_reported", |t| async move {
        let schema = probe();
        schema.create_all(&t.db).await.expect("created");
        t.db.execute_ddl(&hand_changes(t.dialect)).await.expect("hand changes");
        let found = drift(&t.db, &schema).await.expect("drift");
        let post = Post::table();
        let index = title_index();
        let fk = post.foreign_keys[0].name;
        let expected: BTreeSet<String> = [
            format!("drift_post: missing index {index}"),
            "drift_post: changed column views type".into(),
            "drift_post: changed column note nullability".into(),
            format!("drift_post: missing foreign key {fk}"),
            "drift_post: extra column extra".into(),
        ]
        .into_iter()
        .collect();
        let got: BTreeSet<String> = found.iter().map(summary).collect();
        assert_eq!(got, expected, "{}:{}", t.dialect, lines(&found));
        // The words a user acts on.
        let text = lines(&found);
        assert!(
            text.contains("column drift_post.views: type is bigint in the database, "),
            "{}: {text}",
            t.dialect
        );
        assert!(
            text.contains("column drift_post.note: nullability is NOT NULL in the database, NULL in the entities"),
            "{}: {text}",
            t.dialect
        );
        assert!(
            text.contains(&format!("index {index} on drift_post: missing from the database")),
            "{}: {text}",
            t.dialect
        );
        let views = found
            .iter()
            .find(|d| matches!(&d.kind, DriftKind::Changed { object: Object::Column(c), .. } if c == "views"))
            .expect("views");
        assert!(
            matches!(&views.kind, DriftKind::Changed { aspect: Aspect::Type, database, .. } if database == "bigint"),
            "{views:?}"
        );
        t
    })
    .await;
}

#[tokio::test]
async fn tables_missing_or_undeclared_and_defaults_changed() {
    on_every_backend(
        "tables_missing_or_undeclared_and_defaults_changed",
        |t| async move {
            probe().create_all(&t.db).await.expect("created");
            let stray = match t.dialect {
                Dialect::MySql => "CREATE TABLE `drift_stray` (`id` INT)",
                _ => r#"CREATE TABLE "drift_stray" ("id" INTEGER)"#,
            };
            let default = match t.dialect {
                Dialect::Postgres => {
                    r#"ALTER TABLE "drift_post" ALTER COLUMN "rank" SET DEFAULT 7"#
                }
                Dialect::MySql => "ALTER TABLE `drift_post` ALTER COLUMN `rank` SET DEFAULT 7",
                // SQLite cannot change a default in place (see
                // `changes_made_by_hand_are_reported` for a rebuild).
                Dialect::Sqlite => &format!(r#"DROP INDEX "{}""#, title_index()),
            };
            t.db.execute_ddl(&[stray.to_owned(), default.to_owned()])
                .await
                .expect("hand changes");
            let schema =
                Schema::of([Author::table(), Post::table(), Absent::table()]).expect("schema");
            let found = drift(&t.db, &schema).await.expect("drift");
            let got: BTreeSet<String> = found.iter().map(summary).collect();
            let changed = match t.dialect {
                Dialect::Sqlite => format!("drift_post: missing index {}", title_index()),
                _ => "drift_post: changed column rank default".to_owned(),
            };
            let expected: BTreeSet<String> = ["drift_absent: missing table".to_owned(), changed]
                .into_iter()
                .collect();
            assert_eq!(got, expected, "{}:{}", t.dialect, lines(&found));
            if t.dialect != Dialect::Sqlite {
                assert!(
                    lines(&found).contains("default is 7 in the database, -3 in the entities"),
                    "{}:{}",
                    t.dialect,
                    lines(&found)
                );
            }
            // Undeclared tables only when asked.
            let all = drift_with(&t.db, &schema, DriftOptions { extra_tables: true })
                .await
                .expect("drift");
            assert!(
                all.iter().any(|d| summary(d) == "drift_stray: extra table"),
                "{}:{}",
                t.dialect,
                lines(&all)
            );
            assert_eq!(all.len(), found.len() + 1, "{}:{}", t.dialect, lines(&all));
            t
        },
    )
    .await;
}

/// `migrate check --database-url`, run as the command line runs it (it
/// starts its own runtime, so it runs on a blocking thread): clean on a
/// database created from the entities, non-zero once an index is dropped.
#[tokio::test]
async fn migrate_check_with_a_database_url_fails_on_drift() {
    let root = std::env::temp_dir().join(format!(
        "entable_drift_cli_{}_{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let dir = MigrationDir::new(&root);
    dir.generate(&probe(), "initial", Default::default())
        .expect("generated")
        .expect("changes");
    let mut covered = Vec::new();
    for (dialect, url) in backends() {
        let t = TestDb::create(dialect, url.as_deref()).await;
        // The command line opens its own pool: SQLite needs a file.
        let (db, url, file) = match dialect {
            Dialect::Sqlite => {
                let file = root.join("check.db");
                let url = format!("sqlite://{}?mode=rwc", file.display());
                (
                    Db::connect(&url).await.expect("sqlite file"),
                    url,
                    Some(file),
                )
            }
            _ => (t.db.clone(), t.url(), None),
        };
        probe().create_all(&db).await.expect("created");
        let run = |url: String| {
            let root = root.clone();
            tokio::task::spawn_blocking(move || {
                let args = ["migrate", "check", "--dir"]
                    .into_iter()
                    .map(str::to_owned)
                    .chain([root.display().to_string(), "--database-url".into(), url]);
                entable::cli::run_with(&probe(), args)
            })
        };
        assert_eq!(
            run(url.clone()).await.expect("ran"),
            ExitCode::SUCCESS,
            "{dialect}: clean"
        );
        let index = title_index();
        let drop = match dialect {
            Dialect::MySql => format!("DROP INDEX `{index}` ON `drift_post`"),
            _ => format!(r#"DROP INDEX "{index}""#),
        };
        db.execute_ddl(&[drop]).await.expect("index dropped");
        assert_eq!(
            run(url).await.expect("ran"),
            ExitCode::FAILURE,
            "{dialect}: drifted"
        );
        if let Some(file) = file {
            db.close().await;
            let _ = std::fs::remove_file(file);
        }
        t.drop_database().await;
        covered.push(dialect.name());
    }
    let _ = std::fs::remove_dir_all(&root);
    crate::support::announce(&format!(
        "migrate_check_with_a_database_url_fails_on_drift: ran on {}",
        covered.join(", ")
    ));
}

/// A `unique_live` index made again without its condition: unique among
/// all rows. On MySQL the `entable_live` marker it ended with is then left
/// unused, a column of its own.
#[tokio::test]
async fn a_unique_live_index_without_its_condition_is_reported() {
    on_every_backend(
        "a_unique_live_index_without_its_condition_is_reported",
        |t| async move {
            let schema = probe();
            schema.create_all(&t.db).await.expect("created");
            let live = Post::table()
                .indexes
                .iter()
                .find(|i| i.live)
                .expect("unique_live index")
                .name;
            let sql = match t.dialect {
                Dialect::MySql => vec![
                    format!("DROP INDEX `{live}` ON `drift_post`"),
                    format!("CREATE UNIQUE INDEX `{live}` ON `drift_post` (`slug`)"),
                ],
                _ => vec![
                    format!(r#"DROP INDEX "{live}""#),
                    format!(r#"CREATE UNIQUE INDEX "{live}" ON "drift_post" ("slug")"#),
                ],
            };
            t.db.execute_ddl(&sql).await.expect("hand changes");
            let found = drift(&t.db, &schema).await.expect("drift");
            let mut expected: BTreeSet<String> =
                [format!("drift_post: changed index {live} condition")].into();
            if t.dialect == Dialect::MySql {
                expected.insert(format!(
                    "drift_post: extra column {}",
                    entable::schema::LIVE_MARKER
                ));
            }
            let got: BTreeSet<String> = found.iter().map(summary).collect();
            assert_eq!(got, expected, "{}:{}", t.dialect, lines(&found));
            assert!(
                lines(&found).contains(
                    "condition is none in the database, deleted_at is null in the entities"
                ),
                "{}:{}",
                t.dialect,
                lines(&found)
            );
            t
        },
    )
    .await;
}
