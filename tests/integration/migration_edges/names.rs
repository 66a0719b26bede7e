//! A migration that renames constraints (primary key, unique constraint,
//! composite index, foreign keys with and without an index of their own)
//! and changes, adds and removes table and column comments, applied and
//! reverted on every backend, then read back: names through the harness's
//! comparison with fresh DDL, primary key names and comments here.

use super::*;

mod names_v1 {
    use entable::prelude::*;
    /// Version one.
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "mn_parents", primary_key_name = "Parents-PK")]
    pub struct Parent {
        #[entity(primary_key)]
        pub id: i64,
        /// Old column comment.
        #[entity(unique(name = "Parents-Code"), max_length = 20)]
        pub code: String,
        /// Goes away.
        pub label: Option<String>,
    }
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "mn_children", index(parent_id, rank, name = "Children-Rank"))]
    pub struct Child {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(references = Parent, fk_name = "Children-Parent-FK")]
        pub parent_id: i64,
        #[entity(references = Parent, fk_name = "Children-Other-FK")]
        pub other_id: Option<i64>,
        pub rank: i32,
    }
    tables!(Parent, Child);
}

mod names_v2 {
    use entable::prelude::*;
    /// Version two: it's "new", with a \ backslash and ünïcödé.
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "mn_parents", primary_key_name = "mn_parents_pkey")]
    pub struct Parent {
        #[entity(primary_key)]
        pub id: i64,
        /// New column comment: 'quoted'.
        #[entity(unique(name = "mn_parents_code_key"), max_length = 20)]
        pub code: String,
        pub label: Option<String>,
    }
    /// Children now have a comment.
    #[derive(Entity, Debug, Clone)]
    #[entity(
        table = "mn_children",
        index(parent_id, rank, name = "mn_children_parent_id_rank_idx")
    )]
    pub struct Child {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(references = Parent, fk_name = "mn_children_parent_id_fkey")]
        pub parent_id: i64,
        /// A new comment on a column whose key is renamed too.
        #[entity(references = Parent, fk_name = "Children-Other-Renamed")]
        pub other_id: Option<i64>,
        pub rank: i32,
    }
    tables!(Parent, Child);
}

fn version_tables(n: usize) -> Vec<&'static TableMeta> {
    if n == 1 {
        names_v1::tables()
    } else {
        names_v2::tables()
    }
}

fn names_and_comments(
    t: &TestDb,
    n: usize,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<String>> + Send + '_>> {
    Box::pin(async move {
        let mut problems = Vec::new();
        let dialect = t.db.dialect();
        for table in version_tables(n) {
            let pk = introspect::primary_key_name(&t.db, table).await;
            let inline = table.columns.iter().any(|c| c.generated.is_some());
            // SQLite keeps a renamed key's name in the table text until the
            // table is next rebuilt (see docs/migrations.md).
            let want = match dialect {
                Dialect::MySql => Some("PRIMARY".to_owned()),
                Dialect::Sqlite if inline => None,
                Dialect::Sqlite => pk.clone(),
                Dialect::Postgres => Some(table.primary_key_name.to_owned()),
            };
            if pk != want {
                problems.push(format!("{}: primary key {pk:?}, want {want:?}", table.name));
            }
            if let Some(mut got) = introspect::comments(&t.db, table).await {
                let mut want = introspect::expected_comments(table);
                got.1.sort();
                want.1.sort();
                if got != want {
                    problems.push(format!("{}: comments {got:?}, want {want:?}", table.name));
                }
            }
        }
        problems
    })
}

#[tokio::test]
async fn constraint_names_and_comments_change() {
    let problems = evolve(
        "names",
        vec![
            v(
                names_v1::tables(),
                &[
                    "INSERT INTO mn_parents (id, code) VALUES (1, 'a')",
                    "INSERT INTO mn_children (parent_id, other_id, rank) VALUES (1, 1, 1)",
                ],
            ),
            v(
                names_v2::tables(),
                &["INSERT INTO mn_children (parent_id, rank) VALUES (1, 2)"],
            ),
        ],
        true,
        names_and_comments,
    )
    .await;
    report("constraint names and comments change", &problems);
}

/// The generated statements: renames where the dialect has them, comments
/// escaped per dialect, nothing but the snapshot on SQLite.
#[test]
fn generated_statements() {
    let root = scratch_dir("names_sql");
    generate(
        &root,
        &[v(names_v1::tables(), &[]), v(names_v2::tables(), &[])],
    );
    let read = |dialect: &str| {
        let dir = root.join(dialect);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| {
                p.to_string_lossy().contains("0002") && p.to_string_lossy().ends_with(".up.sql")
            })
            .collect();
        files.sort();
        std::fs::read_to_string(files.first().expect("second migration")).expect("read")
    };
    let pg = read("postgres");
    for needle in [
        r#"ALTER TABLE "mn_parents" RENAME CONSTRAINT "Parents-PK" TO "mn_parents_pkey""#,
        r#"COMMENT ON TABLE "mn_parents" IS 'Version two: it''s "new", with a \ backslash and ünïcödé.'"#,
        r#"COMMENT ON COLUMN "mn_parents"."code" IS 'New column comment: ''quoted''.'"#,
        r#"COMMENT ON COLUMN "mn_parents"."label" IS NULL"#,
    ] {
        assert!(pg.contains(needle), "postgres lacks {needle}:\n{pg}");
    }
    let mysql = read("mysql");
    for needle in [
        r#"ALTER TABLE `mn_parents` COMMENT = 'Version two: it''s "new", with a \\ backslash and ünïcödé.'"#,
        "ALTER TABLE `mn_parents` MODIFY COLUMN `code` VARCHAR(20) NOT NULL COMMENT 'New column comment: ''quoted''.'",
    ] {
        assert!(mysql.contains(needle), "mysql lacks {needle}:\n{mysql}");
    }
    let sqlite = read("sqlite");
    assert!(!sqlite.contains("COMMENT"), "{sqlite}");
    let _ = std::fs::remove_dir_all(&root);
}
