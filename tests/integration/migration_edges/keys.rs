//! Keys: primary keys gaining or losing auto-increment, referenced keys changing
//! type or name, indexes a foreign key needs (MySQL), reference cycles, and
//! the runner after a failed MySQL migration.

use super::*;

// ---------------------------------------------------------------------------
// 1. MySQL: dropping the index of a foreign key column that keeps its key.
// ---------------------------------------------------------------------------

mod fk_index_v1 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "parents")]
    pub struct Parent {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
    }
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "children")]
    pub struct Child {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(references = Parent, index)]
        pub parent_id: i64,
    }
    tables!(Parent, Child);
}

mod fk_index_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "parents")]
    pub struct Parent {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
    }
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "children")]
    pub struct Child {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(references = Parent)]
        pub parent_id: i64,
    }
    tables!(Parent, Child);
}

#[tokio::test]
async fn drop_index_of_foreign_key_column() {
    let problems = evolve(
        "fk_index",
        vec![
            v(
                fk_index_v1::tables(),
                &[
                    "INSERT INTO parents (id) VALUES (1)",
                    "INSERT INTO children (parent_id) VALUES (1)",
                ],
            ),
            v(fk_index_v2::tables(), &[]),
        ],
        true,
        no_check,
    )
    .await;
    report("drop index of a foreign key column", &problems);
}

/// After a migration fails on MySQL (DDL commits implicitly, so sqlx's
/// bookkeeping row stays with success = FALSE), `status` says so and `run`
/// refuses to go on instead of reporting nothing to do.
#[tokio::test]
async fn runner_after_failed_mysql_migration() {
    let Some(url) = admin_url(Dialect::MySql) else {
        crate::support::announce(&format!(
            "runner_after_failed_mysql_migration: mysql NOT covered ({} is not set)",
            crate::support::MYSQL_ENV
        ));
        return;
    };
    let root = scratch_dir("dirty");
    generate(&root, &[v(fk_index_v1::tables(), &[])]);
    // A second migration that fails after its first statement committed.
    let mysql = root.join("mysql");
    std::fs::write(
        mysql.join("0002_broken.up.sql"),
        "CREATE TABLE broken_a (id INT);\nCREATE TABLE broken_a (id INT);\n",
    )
    .expect("write");
    std::fs::write(mysql.join("0002_broken.down.sql"), "DROP TABLE broken_a;\n").expect("write");
    let dir = MigrationDir::new(&root);
    let t = TestDb::create(Dialect::MySql, Some(&url)).await;
    migrate::run_to(&t.db, &dir, 1, |_| {}).await.expect("v1");
    let failed = migrate::run(&t.db, &dir, |_| {}).await;
    assert!(failed.is_err(), "the broken migration fails: {failed:?}");
    let status = migrate::status(&t.db, &dir).await.expect("status");
    assert_eq!(
        status.iter().map(|s| s.state).collect::<Vec<_>>(),
        [State::Applied, State::Failed]
    );
    let again = migrate::run(&t.db, &dir, |_| {}).await;
    assert!(
        matches!(again, Err(migrate::MigrateError::Dirty(2))),
        "a second run refuses: {again:?}"
    );
    t.drop_database().await;
    let _ = std::fs::remove_dir_all(&root);
    crate::support::announce("runner_after_failed_mysql_migration: ran on mysql");
}

// ---------------------------------------------------------------------------
// 2. A referenced key changes type (the foreign key column follows).
// ---------------------------------------------------------------------------

mod key_type_v1 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "parents")]
    pub struct Parent {
        #[entity(primary_key, auto_increment)]
        pub id: i32,
        pub name: String,
    }
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "children")]
    pub struct Child {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(references = Parent, on_delete = "cascade")]
        pub parent_id: i32,
    }
    tables!(Parent, Child);
}

mod key_type_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "parents")]
    pub struct Parent {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        pub name: String,
    }
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "children")]
    pub struct Child {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(references = Parent, on_delete = "cascade")]
        pub parent_id: i64,
    }
    tables!(Parent, Child);
}

#[tokio::test]
async fn referenced_key_type_change() {
    let problems = evolve(
        "key_type",
        vec![
            v(
                key_type_v1::tables(),
                &[
                    "INSERT INTO parents (name) VALUES ('p')",
                    "INSERT INTO children (parent_id) VALUES (1)",
                ],
            ),
            v(
                key_type_v2::tables(),
                &["INSERT INTO children (parent_id) VALUES (1)"],
            ),
        ],
        true,
        no_check,
    )
    .await;
    report("referenced key changes type", &problems);
}

// ---------------------------------------------------------------------------
// 3. Natural key replaced by an auto-increment surrogate key (and back).
// ---------------------------------------------------------------------------

mod surrogate_v1 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "items")]
    pub struct Item {
        #[entity(primary_key, max_length = 20)]
        pub code: String,
        pub name: String,
    }
    tables!(Item);
}

mod surrogate_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "items")]
    pub struct Item {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 20, unique)]
        pub code: String,
        pub name: String,
    }
    tables!(Item);
}

#[tokio::test]
async fn surrogate_auto_increment_key() {
    let problems = evolve(
        "surrogate",
        vec![
            v(
                surrogate_v1::tables(),
                &["INSERT INTO items (code, name) VALUES ('a', 'x'), ('b', 'y')"],
            ),
            v(
                surrogate_v2::tables(),
                &["INSERT INTO items (code, name) VALUES ('c', 'z')"],
            ),
        ],
        true,
        no_check,
    )
    .await;
    report("natural key -> auto-increment surrogate key", &problems);
}

// ---------------------------------------------------------------------------
// 4. An existing integer key becomes auto_increment (PostgreSQL identity).
// ---------------------------------------------------------------------------

mod identity_v1 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "tickets")]
    pub struct Ticket {
        #[entity(primary_key)]
        pub id: i64,
        pub note: String,
    }
    tables!(Ticket);
}

mod identity_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "tickets")]
    pub struct Ticket {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        pub note: String,
    }
    tables!(Ticket);
}

#[tokio::test]
async fn key_becomes_auto_increment() {
    let problems = evolve(
        "identity",
        vec![
            v(
                identity_v1::tables(),
                &["INSERT INTO tickets (id, note) VALUES (1, 'a'), (2, 'b')"],
            ),
            v(
                identity_v2::tables(),
                &["INSERT INTO tickets (note) VALUES ('c')"],
            ),
        ],
        true,
        no_check,
    )
    .await;
    report("existing key becomes auto_increment", &problems);
}

// ---------------------------------------------------------------------------
// 13. Renaming a referenced key column (the foreign key follows).
// ---------------------------------------------------------------------------

mod refcol_v1 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "owners")]
    pub struct Owner {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
    }
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "pets")]
    pub struct Pet {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(references = Owner)]
        pub owner_id: i64,
    }
    tables!(Owner, Pet);
}

mod refcol_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "owners")]
    pub struct Owner {
        #[entity(primary_key, auto_increment, renamed_from = "id")]
        pub owner_key: i64,
        pub extra: Option<String>,
    }
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "pets")]
    pub struct Pet {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(references = Owner)]
        pub owner_id: i64,
    }
    tables!(Owner, Pet);
}

#[tokio::test]
async fn rename_referenced_key_column() {
    let problems = evolve(
        "refcol",
        vec![
            v(
                refcol_v1::tables(),
                &[
                    "INSERT INTO owners (id) VALUES (1)",
                    "INSERT INTO pets (owner_id) VALUES (1)",
                ],
            ),
            v(
                refcol_v2::tables(),
                &["INSERT INTO pets (owner_id) VALUES (1)"],
            ),
        ],
        true,
        no_check,
    )
    .await;
    report("rename a referenced key column", &problems);
}

// ---------------------------------------------------------------------------
// 14. Surrogate auto-increment key replaced by the natural key (the way
//     back of probe 3, as an up migration).
// ---------------------------------------------------------------------------

#[tokio::test]
async fn auto_increment_key_replaced_by_natural_key() {
    let problems = evolve(
        "natural",
        vec![
            v(
                surrogate_v2::tables(),
                &["INSERT INTO items (code, name) VALUES ('a', 'x'), ('b', 'y')"],
            ),
            v(
                surrogate_v1::tables(),
                &["INSERT INTO items (code, name) VALUES ('c', 'z')"],
            ),
        ],
        true,
        no_check,
    )
    .await;
    report("auto-increment key -> natural key", &problems);
}

// ---------------------------------------------------------------------------
// 15. MySQL: the plain index of a foreign key column becomes a unique one.
// ---------------------------------------------------------------------------

mod fk_unique_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "parents")]
    pub struct Parent {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
    }
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "children")]
    pub struct Child {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(references = Parent, unique)]
        pub parent_id: i64,
    }
    tables!(Parent, Child);
}

#[tokio::test]
async fn foreign_key_index_becomes_unique() {
    let problems = evolve(
        "fk_unique",
        vec![
            v(
                fk_index_v1::tables(),
                &[
                    "INSERT INTO parents (id) VALUES (1)",
                    "INSERT INTO children (parent_id) VALUES (1)",
                ],
            ),
            v(fk_unique_v2::tables(), &[]),
        ],
        true,
        no_check,
    )
    .await;
    report("index of a foreign key column becomes unique", &problems);
}

// ---------------------------------------------------------------------------
// 16. Tables referring to each other (a cycle), created in one migration,
//     then one of them rebuilt on SQLite and its key's action changed.
// ---------------------------------------------------------------------------

mod cycle_v1 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "teams")]
    pub struct Team {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(references = Person, on_delete = "set null")]
        pub captain_id: Option<i64>,
    }
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "people")]
    pub struct Person {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(references = Team)]
        pub team_id: Option<i64>,
        pub legacy: Option<String>,
    }
    tables!(Team, Person);
}

mod cycle_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "teams")]
    pub struct Team {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(references = Person, on_delete = "cascade")]
        pub captain_id: Option<i64>,
    }
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "people")]
    pub struct Person {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(references = Team, on_delete = "set null")]
        pub team_id: Option<i64>,
    }
    tables!(Team, Person);
}

#[tokio::test]
async fn reference_cycle() {
    let problems = evolve(
        "cycle",
        vec![
            v(
                cycle_v1::tables(),
                &[
                    "INSERT INTO teams (id) VALUES (1)",
                    "INSERT INTO people (id, team_id) VALUES (1, 1)",
                    "UPDATE teams SET captain_id = 1",
                ],
            ),
            v(cycle_v2::tables(), &[]),
        ],
        true,
        no_check,
    )
    .await;
    report("reference cycle", &problems);
}
