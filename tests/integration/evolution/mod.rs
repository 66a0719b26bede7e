//! A schema evolved through six versions by generated migrations, on every
//! backend:
//!
//! | version | changes |
//! |---|---|
//! | 1 | create tables |
//! | 2 | add a column, an index, a foreign key (SQLite: rebuild), a table |
//! | 3 | change a type (SQLite: rebuild of a referenced table), relax NOT NULL, add a column with a default, add a unique index |
//! | 4 | rename a table, drop a column, change a default |
//! | 5 | rename a column, drop an index, drop a table |
//! | 6 | drop a foreign key, add an index, tighten NOT NULL, add a column |
//!
//! Each migration is applied to a database holding rows written at the
//! versions before; the rows survive, the introspected schema equals a
//! fresh database created from that version's entities, and every down
//! migration returns to the previous version's schema.

mod versions;

use std::path::{Path, PathBuf};

use entable::Db;
use entable::migrate;
use entable::prelude::*;
use entable::schema::{GenerateOptions, MigrationDir, MigrationError, Schema, TableMeta};

use crate::support::{TestDb, backends, introspect, on_every_backend};
use versions::{v1, v2, v3, v4, v5, v6};

const NAMES: [&str; 6] = [
    "initial",
    "tags_and_keys",
    "wider_names",
    "writers",
    "headlines",
    "plain_author_index",
];

fn versions() -> Vec<Vec<&'static TableMeta>> {
    vec![
        v1::tables(),
        v2::tables(),
        v3::tables(),
        v4::tables(),
        v5::tables(),
        v6::tables(),
    ]
}

/// The rows each version writes once migrated to.
fn rows(version: usize) -> &'static [&'static str] {
    match version {
        1 => &[
            "INSERT INTO authors (name) VALUES ('a1')",
            "INSERT INTO posts (title, author_id, summary, legacy_flag) VALUES ('t1', 1, 's1', TRUE)",
            "INSERT INTO scratch (note) VALUES ('n1')",
        ],
        2 => &[
            "INSERT INTO authors (name, bio) VALUES ('a2', 'b2')",
            "INSERT INTO posts (title, author_id, summary, legacy_flag) VALUES ('t2', 2, 's2', FALSE)",
            "INSERT INTO tags (name) VALUES ('rust')",
        ],
        3 => &[
            "INSERT INTO posts (title, author_id, summary, legacy_flag) VALUES ('t3', 1, 's3', FALSE)",
        ],
        4 => &[
            "INSERT INTO writers (name) VALUES ('w3')",
            "INSERT INTO posts (title, author_id, summary) VALUES ('t4', 3, 's4')",
        ],
        5 => &["INSERT INTO posts (headline, author_id, summary) VALUES ('h5', 3, 's5')"],
        _ => &["INSERT INTO tags (name, color) VALUES ('sql', 'blue')"],
    }
}

/// [`read`] on a fresh connection: PostgreSQL refuses a statement prepared
/// before the migration that changed its result ("cached plan must not
/// change result type"), as an application's pool would after a migration
/// run beside it. (In-memory SQLite is one connection, and re-prepares.)
async fn contents(t: &TestDb, version: usize) -> (Vec<String>, Vec<String>, Vec<i64>) {
    if t.dialect == Dialect::Sqlite {
        return read(&t.db, version).await;
    }
    let db = Db::connect(&t.url()).await.expect("connects");
    let out = read(&db, version).await;
    db.close().await;
    out
}

/// Post titles (or headlines), authors (or writers) and post views as
/// `version`'s entities read them, by id.
async fn read(db: &Db, version: usize) -> (Vec<String>, Vec<String>, Vec<i64>) {
    macro_rules! read {
        ($m:ident, $title:ident, $author:ident, $views:expr) => {{
            let mut posts = $m::Post::query().all(db).await.expect("posts read");
            posts.sort_by_key(|p| p.id);
            let mut authors = $m::$author::query().all(db).await.expect("authors read");
            authors.sort_by_key(|a| a.id);
            let views: fn(&$m::Post) -> i64 = $views;
            (
                posts.iter().map(|p| p.$title.clone()).collect(),
                authors.iter().map(|a| a.name.clone()).collect(),
                posts.iter().map(views).collect(),
            )
        }};
    }
    match version {
        1 => read!(v1, title, Author, |_| -1),
        2 => read!(v2, title, Author, |_| -1),
        3 => read!(v3, title, Author, |p| p.views),
        4 => read!(v4, title, Writer, |p| p.views),
        5 => read!(v5, headline, Writer, |p| p.views),
        _ => read!(v6, headline, Writer, |p| p.views),
    }
}

/// What [`contents`] must return once `written` versions have written
/// their rows, read at `version`.
fn expected(written: usize, version: usize) -> (Vec<String>, Vec<String>, Vec<i64>) {
    let titles = ["t1", "t2", "t3", "t4", "h5"];
    let authors = ["a1", "a2", "w3"];
    let posts = [1, 2, 3, 4, 5, 5][written - 1];
    let author_count = [1, 2, 2, 3, 3, 3][written - 1];
    // Rows there before `views` existed got its default then (0); the
    // ones written from version 4 on get the new default (1).
    let views = |i: usize| match version {
        1 | 2 => -1,
        _ if i < 3 => 0,
        _ => 1,
    };
    (
        titles[..posts].iter().map(|s| (*s).to_owned()).collect(),
        authors[..author_count]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        (0..posts).map(views).collect(),
    )
}

fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "entable_evolution_{}_{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Generates the six migrations into a fresh folder, checking drift before
/// and after each, and refusal of destructive changes unless allowed.
fn generate_all(root: &Path) {
    let dir = MigrationDir::new(root);
    for (i, tables) in versions().into_iter().enumerate() {
        let schema = Schema::of(tables).expect("valid schema");
        match dir.check(&schema) {
            Err(MigrationError::Drift(changes)) => assert!(!changes.is_empty()),
            other => panic!("version {}: drift expected, got {other:?}", i + 1),
        }
        let destructive = dir.plan(&schema).expect("plan").destructive().len();
        if destructive > 0 {
            let refused = dir.generate(&schema, NAMES[i], GenerateOptions::default());
            assert!(
                matches!(&refused, Err(MigrationError::Destructive(c)) if c.len() == destructive),
                "version {}: {refused:?}",
                i + 1
            );
            assert_eq!(
                dir.migrations().expect("layout").len(),
                i,
                "nothing written"
            );
        }
        let generated = dir
            .generate(
                &schema,
                NAMES[i],
                GenerateOptions {
                    allow_destructive: true,
                },
            )
            .expect("generated")
            .expect("changes");
        assert_eq!(generated.version, i as u64 + 1);
        assert_eq!(generated.files.len(), 7);
        dir.check(&schema).expect("no drift right after generate");
        assert!(
            dir.generate(&schema, "again", GenerateOptions::default())
                .expect("nothing to do")
                .is_none()
        );
    }
}

/// The generated SQL, compared with `tests/integration/snapshots/evolution`
/// (`ENTABLE_BLESS=1` rewrites it).
fn compare_with_committed(root: &Path) {
    let committed =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/snapshots/evolution");
    let bless = std::env::var_os("ENTABLE_BLESS").is_some();
    for dialect in Dialect::ALL {
        let generated_dir = root.join(dialect.name());
        let mut files: Vec<_> = std::fs::read_dir(&generated_dir)
            .expect("generated files")
            .map(|e| e.expect("entry").file_name())
            .collect();
        files.sort();
        assert_eq!(files.len(), 12, "{dialect}: six up and six down files");
        for file in files {
            let generated = std::fs::read_to_string(generated_dir.join(&file)).expect("read");
            let path = committed.join(dialect.name()).join(&file);
            if bless {
                std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
                std::fs::write(&path, &generated).expect("bless");
            }
            let expected = std::fs::read_to_string(&path).unwrap_or_default();
            assert_eq!(
                generated,
                expected,
                "{} differs from what is generated; rerun with ENTABLE_BLESS=1 and review",
                path.display()
            );
        }
    }
}

#[tokio::test]
async fn a_schema_evolves_through_six_versions_on_every_backend() {
    let root = scratch_dir();
    generate_all(&root);
    compare_with_committed(&root);
    let shared = root.clone();
    on_every_backend("a_schema_evolves_through_six_versions", move |t| {
        let root = shared.clone();
        async move {
            let dialect = t.dialect;
            let admin = backends()
                .into_iter()
                .find(|(d, _)| *d == dialect)
                .and_then(|(_, url)| url);
            // What each version's entities create on an empty database.
            let mut fresh = Vec::new();
            for tables in versions() {
                let db = TestDb::create(dialect, admin.as_deref()).await;
                Schema::of(tables)
                    .expect("schema")
                    .create_all(&db.db)
                    .await
                    .expect("fresh schema");
                fresh.push(introspect::database(&db.db).await);
                db.drop_database().await;
            }
            let dir = MigrationDir::new(&root);
            for version in 1..=6 {
                let applied = migrate::run_to(&t.db, &dir, version as i64, |_| {})
                    .await
                    .unwrap_or_else(|e| panic!("{dialect}: migration {version} fails: {e}"));
                assert_eq!(applied.len(), 1, "{dialect}: one step to {version}");
                assert_eq!(
                    introspect::database(&t.db).await,
                    fresh[version - 1],
                    "{dialect}: after migration {version}, the schema differs from a fresh one"
                );
                if version > 1 {
                    assert_eq!(
                        contents(&t, version).await,
                        expected(version - 1, version),
                        "{dialect}: rows of earlier versions after migration {version}"
                    );
                }
                let statements: Vec<String> =
                    rows(version).iter().map(|s| (*s).to_owned()).collect();
                t.db.execute_ddl(&statements)
                    .await
                    .unwrap_or_else(|e| panic!("{dialect}: rows of version {version}: {e}"));
                assert_eq!(
                    contents(&t, version).await,
                    expected(version, version),
                    "{dialect}: rows at version {version}"
                );
            }
            for version in (1..6).rev() {
                let reverted = migrate::revert(&t.db, &dir, version as i64, |_| {})
                    .await
                    .unwrap_or_else(|e| panic!("{dialect}: reverting to {version} fails: {e}"));
                assert_eq!(reverted.len(), 1);
                assert_eq!(
                    introspect::database(&t.db).await,
                    fresh[version - 1],
                    "{dialect}: after reverting to {version}, the schema differs from a fresh one"
                );
                let (titles, authors, _) = contents(&t, version).await;
                let (all_titles, all_authors, _) = expected(6, version);
                assert_eq!(
                    (titles, authors),
                    (all_titles, all_authors),
                    "{dialect}: rows kept reverting to {version}"
                );
            }
            migrate::revert(&t.db, &dir, 0, |_| {})
                .await
                .expect("revert all");
            assert!(introspect::database(&t.db).await.is_empty());
            t
        }
    })
    .await;
    let _ = std::fs::remove_dir_all(&root);
}
