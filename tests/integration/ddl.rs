//! DDL text, checked against reviewed snapshots, and schema ordering rules.

use entable::backend::Dialect;
use entable::prelude::*;
use entable::schema::{Schema, SchemaError};

use crate::entities::{self, Category, Department, Employee, Group, User};

/// Compares `actual` with `tests/integration/snapshots/<name>`; with
/// `ENTABLE_BLESS=1` the snapshot is rewritten instead.
fn assert_snapshot(name: &str, actual: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/integration/snapshots")
        .join(name);
    if std::env::var_os("ENTABLE_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("snapshot dir");
        std::fs::write(&path, actual).expect("snapshot written");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}: run with ENTABLE_BLESS=1 and review it",
            path.display()
        )
    });
    if expected != actual {
        panic!(
            "DDL for {name} changed. Review and re-run with ENTABLE_BLESS=1 if intended.\n--- expected\n{expected}\n--- actual\n{actual}"
        );
    }
}

#[test]
fn ddl_snapshots_per_dialect() {
    let schema = Schema::of(entities::tables()).expect("valid schema");
    for dialect in Dialect::ALL {
        assert_snapshot(&format!("{dialect}.sql"), &schema.to_sql(dialect));
        assert_snapshot(
            &format!("{dialect}.down.sql"),
            &schema
                .drop_statements(dialect)
                .iter()
                .map(|s| format!("{s};\n\n"))
                .collect::<String>(),
        );
    }
}

#[test]
fn tables_are_ordered_by_dependency() {
    let schema = Schema::of(entities::tables()).expect("valid schema");
    let order: Vec<String> = schema.tables().iter().map(|t| t.qualified_name()).collect();
    let position = |name: &str| {
        order
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    for table in schema.tables() {
        for fk in table.foreign_keys {
            let deferred = schema
                .deferred_foreign_keys()
                .iter()
                .any(|(_, d)| std::ptr::eq(*d, fk));
            let target = fk.target().qualified_name();
            if target != table.qualified_name() && !deferred {
                assert!(
                    position(&target) < position(&table.qualified_name()),
                    "{target} must precede {}",
                    table.name
                );
            }
        }
    }
    // Exactly one key closes the department/employee cycle.
    let deferred: Vec<_> = schema
        .deferred_foreign_keys()
        .iter()
        .map(|(_, fk)| fk.name)
        .collect();
    assert_eq!(deferred, ["fk_department_employee_manager_id"]);
    // A self-reference is not a cycle.
    assert!(!deferred.iter().any(|n| n.contains("category")));
}

#[test]
fn ordering_does_not_depend_on_input_order() {
    let forward = Schema::of(entities::tables()).expect("valid");
    let backward = Schema::of(entities::tables().into_iter().rev()).expect("valid");
    for dialect in Dialect::ALL {
        assert_eq!(forward.to_sql(dialect), backward.to_sql(dialect));
    }
}

#[test]
fn a_missing_target_table_is_an_error() {
    let error = Schema::of([User::table()]).expect_err("group is missing");
    assert_eq!(
        error,
        SchemaError::MissingTable {
            entity: "User",
            foreign_key: "fk_user_group_group_id",
            target: "group".into(),
            target_entity: "Group",
        }
    );
    assert!(error.to_string().contains("`group`"));
}

#[test]
fn duplicate_tables_are_an_error() {
    mod other {
        use entable::prelude::*;
        #[derive(Entity)]
        #[entity(table = "group")]
        pub struct AnotherGroup {
            #[entity(primary_key)]
            pub id: i64,
        }
    }
    let error =
        Schema::of([Group::table(), other::AnotherGroup::table()]).expect_err("two `group` tables");
    assert!(
        matches!(error, SchemaError::DuplicateTable { ref table, .. } if table == "group"),
        "{error}"
    );
}

#[test]
fn table_names_must_differ_without_schema_and_case() {
    mod other {
        use entable::prelude::*;
        /// Same name as `archive.event`, in another (PostgreSQL) schema.
        #[derive(Entity)]
        #[entity(table = "Event")]
        pub struct Event {
            #[entity(primary_key)]
            pub id: i64,
        }
    }
    let error = Schema::of([
        entities::ArchivedEvent::table(),
        entities::User::table(),
        Group::table(),
        other::Event::table(),
    ])
    .expect_err("event and Event collide on MySQL and SQLite");
    assert!(
        matches!(error, SchemaError::DuplicateTable { .. }),
        "{error}"
    );
}

#[test]
fn foreign_key_columns_take_the_referenced_type() {
    let address = entities::Address::table();
    for (dialect, expected) in [
        (Dialect::Postgres, "VARCHAR(2)"),
        (Dialect::MySql, "VARCHAR(2)"),
        (Dialect::Sqlite, "VARCHAR(2)"),
    ] {
        for column in ["country", "billing_country"] {
            let column = address.column(column).expect("column");
            assert_eq!(
                entable::schema::ddl::column_type_in(dialect, address, column),
                expected
            );
        }
    }
}

#[test]
fn the_registry_holds_every_entity_of_the_binary() {
    let names: Vec<String> = entable::schema::registered_tables()
        .iter()
        .map(|t| t.qualified_name())
        .collect();
    for table in entities::tables() {
        assert!(
            names.contains(&table.qualified_name()),
            "{} not registered",
            table.name
        );
    }
}

#[test]
fn metadata_is_static_and_complete() {
    let user = User::table();
    assert!(
        std::ptr::eq(user, User::table()),
        "the same static every call"
    );
    assert_eq!(user.entity, "User");
    assert_eq!(User::TABLE_NAME, "user");
    assert_eq!(user.primary_key, ["id"]);
    let columns: Vec<_> = user.columns.iter().map(|c| c.name).collect();
    assert_eq!(
        columns,
        [
            "id",
            "email",
            "display_name",
            "group_id",
            "role",
            "active",
            "created_at"
        ],
        "skip is not a column"
    );
    let email = user.column("email").expect("email column");
    assert_eq!((email.max_length, email.nullable), (Some(255), false));
    assert!(user.column("display_name").expect("column").nullable);
    assert_eq!(
        user.column_for_field("display_name").map(|c| c.name),
        Some("display_name")
    );
    let fk = &user.foreign_keys[0];
    assert_eq!(
        (fk.name, fk.column, fk.target().name, fk.target_column()),
        ("fk_user_group_group_id", "group_id", "group", "id")
    );

    assert_eq!(Category::table().foreign_keys[0].target().name, "category");
    assert_eq!(
        Group::table().column_for_field("position").map(|c| c.name),
        Some("order")
    );
    assert_eq!(
        Department::table().name,
        "department",
        "default table name is the snake_case struct name"
    );

    let long = Employee::table().indexes[0].name;
    assert_eq!(long.len(), 63);
    assert!(
        long.starts_with("ix_employee_a_column_name_long_enough_to_push_the_inde_"),
        "{long}"
    );
}

mod flags {
    use entable::prelude::*;

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "flagged")]
    pub struct Flagged {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(unique_live, max_length = 40)]
        pub email: String,
        #[entity(deleted_flag)]
        pub is_deleted: bool,
    }

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "active_ones")]
    pub struct ActiveOne {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(unique_live, max_length = 40)]
        pub email: String,
        #[entity(live_flag)]
        pub active: bool,
    }

    #[derive(Entity, Debug, Clone)]
    #[entity(table = "stamped")]
    pub struct Stamped {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(unique_live, max_length = 40)]
        pub email: String,
        #[entity(deleted_at)]
        pub deleted_at: Option<DateTime<Utc>>,
    }
}

#[test]
fn a_flag_conditions_live_indexes_in_every_dialect() {
    use entable::schema::snapshot::Snapshot;
    use flags::{ActiveOne, Flagged, Stamped};
    let expected = [
        (
            Dialect::Postgres,
            [
                r#""is_deleted" BOOLEAN NOT NULL DEFAULT FALSE"#,
                r#"ON "flagged" ("email") WHERE "is_deleted" = FALSE"#,
                r#""active" BOOLEAN NOT NULL DEFAULT TRUE"#,
                r#"ON "active_ones" ("email") WHERE "active" = TRUE"#,
            ],
        ),
        (
            Dialect::Sqlite,
            [
                r#""is_deleted" BOOLEAN NOT NULL DEFAULT 0"#,
                r#"ON "flagged" ("email") WHERE "is_deleted" = 0"#,
                r#""active" BOOLEAN NOT NULL DEFAULT 1"#,
                r#"ON "active_ones" ("email") WHERE "active" = 1"#,
            ],
        ),
        (
            Dialect::MySql,
            [
                "`entable_live` TINYINT GENERATED ALWAYS AS (CASE WHEN `is_deleted` = 0 THEN 1 END) STORED",
                "ON `flagged` (`email`, `entable_live`)",
                "`entable_live` TINYINT GENERATED ALWAYS AS (CASE WHEN `active` = 1 THEN 1 END) STORED",
                "ON `active_ones` (`email`, `entable_live`)",
            ],
        ),
    ];
    let schema =
        Schema::of([Flagged::table(), ActiveOne::table(), Stamped::table()]).expect("schema");
    for (dialect, fragments) in expected {
        let sql = schema.to_sql(dialect);
        for fragment in fragments {
            assert!(sql.contains(fragment), "{dialect}: no {fragment} in\n{sql}");
        }
    }
    // The time stamp's snapshot is as before; a flag records its live value.
    let json = Snapshot::of(&schema).to_json();
    let table = |name: &str| {
        let start = json.find(&format!(r#""name": "{name}""#)).expect("table");
        json[start..]
            .split("\n    }")
            .next()
            .expect("table text")
            .to_owned()
    };
    assert!(table("stamped").contains(r#""soft_delete": "deleted_at""#));
    assert!(!table("stamped").contains("soft_delete_live"), "{json}");
    assert!(
        table("flagged").contains(r#""soft_delete_live": false"#),
        "{json}"
    );
    assert!(
        table("active_ones").contains(r#""soft_delete_live": true"#),
        "{json}"
    );
}
