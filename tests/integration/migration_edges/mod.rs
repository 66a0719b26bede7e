//! Edge cases of generated migrations, found by review. Each test takes a
//! small schema through a few versions with `MigrationDir::generate`,
//! applies the migrations with `migrate::run_to` on every configured
//! backend (writing rows at each version), compares the introspected schema
//! with a fresh database of that version, and reverts step by step. A test
//! collects every problem on every backend and fails with the whole list.
//! Set `ENTABLE_PROBE_SQL=1` to print the generated files.

use std::path::{Path, PathBuf};

use entable::migrate::{self, State};
use entable::prelude::*;
use entable::schema::{GenerateOptions, MigrationDir, Schema, TableMeta};

use crate::support::introspect::{self, TableInfo};
use crate::support::{TestDb, backends};

macro_rules! tables {
    ($($entity:ty),*) => {
        pub fn tables() -> Vec<&'static entable::schema::TableMeta> {
            use entable::Entity as _;
            vec![$(<$entity>::table()),*]
        }
    };
}

// ---------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------

/// One version of a probe: its entities and the rows written once the
/// database is at that version.
struct Version {
    tables: Vec<&'static TableMeta>,
    rows: Vec<&'static str>,
}

fn v(tables: Vec<&'static TableMeta>, rows: &[&'static str]) -> Version {
    Version {
        tables,
        rows: rows.to_vec(),
    }
}

fn scratch_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "entable_probe_{tag}_{}_{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Generates one migration per version (destructive changes allowed).
fn generate(root: &Path, versions: &[Version]) {
    let dir = MigrationDir::new(root);
    for (i, version) in versions.iter().enumerate() {
        let schema = Schema::of(version.tables.clone()).expect("valid schema");
        dir.generate(
            &schema,
            &format!("v{}", i + 1),
            GenerateOptions {
                allow_destructive: true,
            },
        )
        .expect("generated")
        .expect("changes");
        dir.check(&schema).expect("no drift right after generate");
    }
    if std::env::var_os("ENTABLE_PROBE_SQL").is_some() {
        for dialect in Dialect::ALL {
            let mut files: Vec<_> = std::fs::read_dir(root.join(dialect.name()))
                .expect("files")
                .map(|e| e.expect("entry").path())
                .collect();
            files.sort();
            for file in files {
                eprintln!(
                    "===== {}\n{}",
                    file.display(),
                    std::fs::read_to_string(&file).expect("read")
                );
            }
        }
    }
}

fn admin_url(dialect: Dialect) -> Option<String> {
    backends()
        .into_iter()
        .find(|(d, _)| *d == dialect)
        .and_then(|(_, url)| url)
}

/// `tables` as migrations and fresh DDL must agree on them: SQLite keeps a
/// renamed primary key's name in the table's text until the table is next
/// rebuilt (docs/migrations.md), so there the name is not compared
/// (`names.rs` checks it the way SQLite keeps it).
fn comparable(dialect: Dialect, mut tables: Vec<TableInfo>) -> Vec<TableInfo> {
    if dialect == Dialect::Sqlite {
        for table in &mut tables {
            table.primary_key_name = None;
        }
    }
    tables
}

async fn fresh(dialect: Dialect, tables: &[&'static TableMeta]) -> Vec<TableInfo> {
    let db = TestDb::create(dialect, admin_url(dialect).as_deref()).await;
    Schema::of(tables.to_vec())
        .expect("schema")
        .create_all(&db.db)
        .await
        .unwrap_or_else(|e| panic!("{dialect}: fresh DDL fails: {e}"));
    let info = comparable(dialect, introspect::database(&db.db).await);
    db.drop_database().await;
    info
}

/// What differs between two introspected schemas, one line per table.
fn schema_diff(migrated: &[TableInfo], fresh: &[TableInfo]) -> String {
    let mut out = Vec::new();
    let names = |s: &[TableInfo]| s.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    if names(migrated) != names(fresh) {
        out.push(format!(
            "tables {:?} (fresh: {:?})",
            names(migrated),
            names(fresh)
        ));
    }
    for m in migrated {
        let Some(f) = fresh.iter().find(|f| f.name == m.name) else {
            continue;
        };
        if m.columns != f.columns {
            for c in &m.columns {
                match f.columns.iter().find(|x| x.name == c.name) {
                    Some(x) if x == c => {}
                    Some(x) => out.push(format!(
                        "{}.{}: migrated {c:?}, fresh {x:?}",
                        m.name, c.name
                    )),
                    None => out.push(format!("{}.{}: only migrated {c:?}", m.name, c.name)),
                }
            }
            for x in &f.columns {
                if !m.columns.iter().any(|c| c.name == x.name) {
                    out.push(format!("{}.{}: only fresh {x:?}", m.name, x.name));
                }
            }
        }
        if m.primary_key_name != f.primary_key_name {
            out.push(format!(
                "{}: primary key name {:?}, fresh {:?}",
                m.name, m.primary_key_name, f.primary_key_name
            ));
        }
        if m.primary_key != f.primary_key {
            out.push(format!(
                "{}: primary key {:?}, fresh {:?}",
                m.name, m.primary_key, f.primary_key
            ));
        }
        if m.indexes != f.indexes {
            out.push(format!(
                "{}: indexes {:?}, fresh {:?}",
                m.name, m.indexes, f.indexes
            ));
        }
        if m.checks != f.checks {
            out.push(format!(
                "{}: checks {:?}, fresh {:?}",
                m.name, m.checks, f.checks
            ));
        }
        if m.foreign_keys != f.foreign_keys {
            out.push(format!(
                "{}: foreign keys {:?}, fresh {:?}",
                m.name, m.foreign_keys, f.foreign_keys
            ));
        }
    }
    out.join("\n      ")
}

/// Extra checks a probe runs on the database at a version (after its rows).
type Check = for<'a> fn(
    &'a TestDb,
    usize,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Vec<String>> + Send + 'a>,
>;

fn no_check(
    _: &TestDb,
    _: usize,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<String>> + Send + '_>> {
    Box::pin(async { Vec::new() })
}

/// Evolves through `versions` on every backend; returns the problems seen.
async fn evolve(tag: &str, versions: Vec<Version>, revert: bool, check: Check) -> Vec<String> {
    let root = scratch_dir(tag);
    generate(&root, &versions);
    let dir = MigrationDir::new(&root);
    let mut problems = Vec::new();
    let mut covered = Vec::new();
    for (dialect, url) in backends() {
        covered.push(dialect.name());
        let mut expected = Vec::new();
        for version in &versions {
            expected.push(fresh(dialect, &version.tables).await);
        }
        let t = TestDb::create(dialect, url.as_deref()).await;
        let mut all_up = true;
        for (i, version) in versions.iter().enumerate() {
            let n = i + 1;
            if let Err(e) = migrate::run_to(&t.db, &dir, n as i64, |_| {}).await {
                problems.push(format!("{dialect}: up to v{n} FAILS: {e}"));
                all_up = false;
                break;
            }
            let got = comparable(dialect, introspect::database(&t.db).await);
            if got != expected[i] {
                problems.push(format!(
                    "{dialect}: after up to v{n}, schema differs from fresh DDL:\n      {}",
                    schema_diff(&got, &expected[i])
                ));
            }
            // `arch.` names a PostgreSQL schema; elsewhere tables have none.
            let rows: Vec<String> = version
                .rows
                .iter()
                .map(|s| match dialect {
                    Dialect::Postgres => (*s).to_owned(),
                    _ => s.replace("arch.", ""),
                })
                .collect();
            if let Err(e) = t.db.execute_ddl(&rows).await {
                problems.push(format!("{dialect}: rows of v{n} FAIL: {e}"));
            }
            problems.extend(
                check(&t, n)
                    .await
                    .into_iter()
                    .map(|p| format!("{dialect}: v{n}: {p}")),
            );
        }
        if revert && all_up {
            for n in (1..versions.len()).rev() {
                if let Err(e) = migrate::revert(&t.db, &dir, n as i64, |_| {}).await {
                    problems.push(format!("{dialect}: down to v{n} FAILS: {e}"));
                    break;
                }
                let got = comparable(dialect, introspect::database(&t.db).await);
                if got != expected[n - 1] {
                    problems.push(format!(
                        "{dialect}: after down to v{n}, schema differs from fresh DDL:\n      {}",
                        schema_diff(&got, &expected[n - 1])
                    ));
                }
            }
        }
        t.drop_database().await;
    }
    let _ = std::fs::remove_dir_all(&root);
    crate::support::announce(&format!("{tag}: ran on {}", covered.join(", ")));
    problems
}

fn report(test: &str, problems: &[String]) {
    if !problems.is_empty() {
        panic!("{test}:\n  {}", problems.join("\n  "));
    }
}

mod checks;
mod columns;
mod decimals;
mod keys;
mod names;
mod rebuild;
mod schemas;
mod soft_delete;
