//! Columns: NOT NULL without default on a table with rows, down migrations
//! that cannot restore a dropped column, descriptions of dialect-only type
//! changes.

use super::*;

// ---------------------------------------------------------------------------
// 7. A NOT NULL column without default added to a table holding rows.
// ---------------------------------------------------------------------------

mod not_null_v1 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "members")]
    pub struct Member {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        pub name: String,
    }
    tables!(Member);
}

mod not_null_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "members")]
    pub struct Member {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        pub name: String,
        pub age: i32,
    }
    tables!(Member);
}

#[tokio::test]
async fn add_not_null_column_without_default() {
    // Not refused as destructive, not marked in the plan:
    let schema = Schema::of(not_null_v2::tables()).expect("schema");
    let root = scratch_dir("nn_plan");
    let dir = MigrationDir::new(&root);
    dir.generate(
        &Schema::of(not_null_v1::tables()).expect("schema"),
        "v1",
        GenerateOptions::default(),
    )
    .expect("v1");
    let destructive = dir.plan(&schema).expect("plan").destructive().len();
    let _ = std::fs::remove_dir_all(&root);
    let mut problems = evolve(
        "not_null",
        vec![
            v(
                not_null_v1::tables(),
                &["INSERT INTO members (name) VALUES ('ann')"],
            ),
            v(not_null_v2::tables(), &[]),
        ],
        true,
        no_check,
    )
    .await;
    if !problems.is_empty() {
        problems.insert(
            0,
            format!("(plan flags {destructive} destructive change(s); generate needs no --allow-destructive)"),
        );
    }
    report(
        "NOT NULL column without default on a table with rows",
        &problems,
    );
}

// ---------------------------------------------------------------------------
// 8. Down migrations restoring a dropped NOT NULL unique / timestamp column.
// ---------------------------------------------------------------------------

mod down_fill_v1 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "handles")]
    pub struct Handle {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(unique, max_length = 40)]
        pub handle: String,
    }
    tables!(Handle);
}

mod down_fill_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "handles")]
    pub struct Handle {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
    }
    tables!(Handle);
}

#[tokio::test]
async fn down_restoring_a_unique_not_null_column_fails_cleanly() {
    down_fails_cleanly(
        "down_fill",
        v(
            down_fill_v1::tables(),
            &["INSERT INTO handles (handle) VALUES ('a'), ('b')"],
        ),
        v(down_fill_v2::tables(), &[]),
    )
    .await;
}

/// A down migration that restores a dropped NOT NULL column has no value
/// for rows (a unique column cannot take one zero twice; a time has no
/// zero): the file says so, and the failure undoes the whole down
/// migration where DDL is transactional (PostgreSQL, SQLite). MySQL fills
/// its own implicit zero value, or fails partway and is reported `Failed`.
async fn down_fails_cleanly(tag: &str, v1: Version, v2: Version) {
    let root = scratch_dir(tag);
    let expected_v2: Vec<&'static TableMeta> = v2.tables.clone();
    let rows: Vec<String> = v1.rows.iter().map(|s| (*s).to_owned()).collect();
    generate(&root, &[v1, v2]);
    let dir = MigrationDir::new(&root);
    let mut covered = Vec::new();
    for (dialect, url) in backends() {
        let down = std::fs::read_dir(root.join(dialect.name()))
            .expect("files")
            .map(|e| e.expect("entry").path())
            .find(|p| p.to_string_lossy().ends_with("0002_v2.down.sql"))
            .expect("down file");
        let text = std::fs::read_to_string(down).expect("read");
        assert!(
            text.contains("or the migration fails"),
            "{dialect}: the down file warns:\n{text}"
        );
        let t = TestDb::create(dialect, url.as_deref()).await;
        migrate::run_to(&t.db, &dir, 1, |_| {}).await.expect("v1");
        t.db.execute_ddl(&rows).await.expect("rows");
        migrate::run(&t.db, &dir, |_| {}).await.expect("v2");
        let at_v2 = introspect::database(&t.db).await;
        assert_eq!(at_v2, fresh(dialect, &expected_v2).await);
        match migrate::revert(&t.db, &dir, 1, |_| {}).await {
            Err(_) if dialect != Dialect::MySql => {
                assert_eq!(
                    introspect::database(&t.db).await,
                    at_v2,
                    "{dialect}: rolled back whole"
                );
                let status = migrate::status(&t.db, &dir).await.expect("status");
                assert_eq!(status[1].state, State::Applied, "{dialect}: still at v2");
            }
            Err(_) => {
                let status = migrate::status(&t.db, &dir).await.expect("status");
                assert_eq!(status[1].state, State::Failed, "{dialect}: reported");
            }
            Ok(_) => assert_eq!(dialect, Dialect::MySql, "only MySQL fills its own zeros"),
        }
        t.drop_database().await;
        covered.push(dialect.name());
    }
    let _ = std::fs::remove_dir_all(&root);
    crate::support::announce(&format!("{tag}: ran on {}", covered.join(", ")));
}

mod down_time_v1 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "events")]
    pub struct Event {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        pub at: DateTime<Utc>,
    }
    tables!(Event);
}

mod down_time_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "events")]
    pub struct Event {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
    }
    tables!(Event);
}

#[tokio::test]
async fn down_restoring_a_not_null_timestamp_column_fails_cleanly() {
    down_fails_cleanly(
        "down_time",
        v(
            down_time_v1::tables(),
            &["INSERT INTO events (at) VALUES ('2024-01-01 00:00:00')"],
        ),
        v(down_time_v2::tables(), &[]),
    )
    .await;
}

// ---------------------------------------------------------------------------
// 12. The descriptions of a MySQL-only type change (TEXT -> VARCHAR when a
//     String column gets an index).
// ---------------------------------------------------------------------------

mod describe_v1 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "docs")]
    pub struct Doc {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        pub title: String,
    }
    tables!(Doc);
}

mod describe_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "docs")]
    pub struct Doc {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(index)]
        pub title: String,
    }
    tables!(Doc);
}

#[test]
fn describe_of_dialect_specific_type_change() {
    let root = scratch_dir("describe");
    let dir = MigrationDir::new(&root);
    dir.generate(
        &Schema::of(describe_v1::tables()).expect("schema"),
        "v1",
        GenerateOptions::default(),
    )
    .expect("v1");
    let plan = dir
        .plan(&Schema::of(describe_v2::tables()).expect("schema"))
        .expect("plan");
    let lines: Vec<String> = plan.changes().iter().map(|c| c.describe()).collect();
    let _ = std::fs::remove_dir_all(&root);
    let bad: Vec<&String> = lines
        .iter()
        .filter(|l| {
            l.split_once("type ")
                .and_then(|(_, t)| t.split_once(" -> "))
                .is_some_and(|(a, b)| b.split(',').next() == Some(a))
        })
        .collect();
    assert!(
        bad.is_empty(),
        "a change that exists on MySQL only is described with PostgreSQL's unchanged types: {lines:?}"
    );
}
