//! PostgreSQL schemas: renames inside a schema, a table moved into one.

use super::*;

// ---------------------------------------------------------------------------
// 10. PostgreSQL schema-qualified tables: rename table and column, index
//     names change, a new schema.
// ---------------------------------------------------------------------------

mod pgschema_v1 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "logs", schema = "arch")]
    pub struct Log {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(index, max_length = 10)]
        pub level: String,
        pub msg: String,
    }
    tables!(Log);
}

mod pgschema_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "entries", schema = "arch", renamed_from = "logs")]
    pub struct Entry {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(index, max_length = 10, renamed_from = "level")]
        pub severity: String,
        pub msg: Option<String>,
    }
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "audit_marks", schema = "other")]
    pub struct Mark {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(references = Entry, index)]
        pub entry_id: i64,
    }
    tables!(Entry, Mark);
}

#[tokio::test]
async fn postgres_schema_qualified_renames() {
    let problems = evolve(
        "pgschema",
        vec![
            v(
                pgschema_v1::tables(),
                &["INSERT INTO arch.logs (level, msg) VALUES ('info', 'x')"],
            ),
            v(pgschema_v2::tables(), &[]),
        ],
        true,
        no_check,
    )
    .await;
    report("schema-qualified renames", &problems);
}

// ---------------------------------------------------------------------------
// 17. A table moved into a PostgreSQL schema: nothing changes on MySQL and
//     SQLite (schemas are ignored there), yet the rows must survive.
// ---------------------------------------------------------------------------

mod move_schema_v1 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "events")]
    pub struct Event {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        pub name: String,
    }
    tables!(Event);
}

mod move_schema_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "events", schema = "archive")]
    pub struct Event {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        pub name: String,
    }
    tables!(Event);
}

fn events_survive(
    t: &TestDb,
    version: usize,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<String>> + Send + '_>> {
    Box::pin(async move {
        if version != 2 {
            return Vec::new();
        }
        let table = if t.dialect == Dialect::Postgres {
            "archive.events"
        } else {
            "events"
        };
        let count = crate::scalar!(t.db, i64, &format!("SELECT COUNT(*) FROM {table}"))
            .expect("count")
            .unwrap_or_default();
        if count == 1 {
            Vec::new()
        } else {
            vec![format!(
                "{table} holds {count} rows after the move, not 1 (rows lost)"
            )]
        }
    })
}

#[tokio::test]
async fn table_moved_into_postgres_schema() {
    let root = scratch_dir("move_plan");
    let dir = MigrationDir::new(&root);
    dir.generate(
        &Schema::of(move_schema_v1::tables()).expect("schema"),
        "v1",
        GenerateOptions::default(),
    )
    .expect("v1");
    let plan = dir
        .plan(&Schema::of(move_schema_v2::tables()).expect("schema"))
        .expect("plan");
    let changes: Vec<String> = plan.changes().iter().map(|c| c.describe()).collect();
    let _ = std::fs::remove_dir_all(&root);
    let mut problems = evolve(
        "move_schema",
        vec![
            v(
                move_schema_v1::tables(),
                &["INSERT INTO events (name) VALUES ('e')"],
            ),
            v(move_schema_v2::tables(), &[]),
        ],
        true,
        events_survive,
    )
    .await;
    if !problems.is_empty() {
        problems.insert(0, format!("(planned: {changes:?})"));
    }
    report("table moved into a PostgreSQL schema", &problems);
}
