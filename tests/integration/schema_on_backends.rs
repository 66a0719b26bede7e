//! The generated DDL, created on real servers and read back.

use entable::backend::Dialect;
use entable::prelude::*;
use entable::schema::Schema;

use crate::entities::{self, Role};
use crate::support::{introspect, on_every_backend};
use crate::{exec, scalar};

#[tokio::test]
async fn created_schema_matches_the_metadata() {
    on_every_backend("created_schema_matches_the_metadata", |t| async move {
        let schema = Schema::of(entities::tables()).expect("valid schema");
        schema.create_all(&t.db).await.expect("DDL runs");
        let mut expected_names: Vec<String> = schema
            .tables()
            .iter()
            .map(|table| match (t.dialect, table.schema) {
                (Dialect::Postgres, Some(s)) => format!("{s}.{}", table.name),
                _ => table.name.to_owned(),
            })
            .collect();
        expected_names.sort();
        assert_eq!(introspect::table_names(&t.db).await, expected_names);
        for table in schema.tables() {
            let actual = introspect::table(&t.db, table).await;
            let expected = introspect::expected(t.dialect, table);
            assert_eq!(
                actual, expected,
                "{}: table `{}` differs from its metadata",
                t.dialect, table.name
            );
        }
        t
    })
    .await;
}

async fn create(t: &crate::support::TestDb) -> Schema {
    let schema = Schema::of(entities::tables()).expect("valid schema");
    schema.create_all(&t.db).await.expect("DDL runs");
    schema
}

#[tokio::test]
async fn foreign_key_actions_and_constraints_behave() {
    on_every_backend("foreign_key_actions_and_constraints_behave", |t| async move {
        create(&t).await;
        let db = &t.db;
        let d = t.dialect;

        // Defaults fill omitted columns; a reserved-word column works.
        exec!(db, r#"INSERT INTO "group" ("name") VALUES (?)"#, "admins".to_owned()).expect("insert group");
        let group: i64 = scalar!(db, i64, r#"SELECT "id" FROM "group" WHERE "name" = ?"#, "admins".to_owned()).unwrap().unwrap();
        let position = scalar!(db, i32, r#"SELECT "order" FROM "group" WHERE "id" = ?"#, group).unwrap();
        assert_eq!(position, Some(0), "{d}: default 0");

        let alice = Uuid::new_v4();
        exec!(db, r#"INSERT INTO "user" ("id", "email", "group_id", "role") VALUES (?, ?, ?, ?)"#, alice, "alice@example.com".to_owned(), group, Role::Admin)
            .expect("insert user");
        let (role, active) = (
            scalar!(db, Role, r#"SELECT "role" FROM "user" WHERE "id" = ?"#, alice).unwrap(),
            scalar!(db, bool, r#"SELECT "active" FROM "user" WHERE "id" = ?"#, alice).unwrap(),
        );
        assert_eq!((role, active), (Some(Role::Admin), Some(true)), "{d}: enum round trip, default true");
        let stored = scalar!(db, String, r#"SELECT "role" FROM "user" WHERE "id" = ?"#, alice).unwrap();
        assert_eq!(stored.as_deref(), Some("admin"), "{d}: enums are stored as their text");

        // Unique constraint (exact, case-sensitive comparison everywhere).
        let dup = exec!(db, r#"INSERT INTO "user" ("id", "email") VALUES (?, ?)"#, Uuid::new_v4(), "alice@example.com".to_owned());
        assert!(dup.is_err(), "{d}: duplicate email must fail");
        exec!(db, r#"INSERT INTO "user" ("id", "email", "role") VALUES (?, ?, ?)"#, Uuid::new_v4(), "ALICE@example.com".to_owned(), Role::ReadOnly)
            .unwrap_or_else(|e| panic!("{d}: emails differing in case are distinct: {e}"));
        let ro = scalar!(db, String, r#"SELECT "role" FROM "user" WHERE "email" = ?"#, "ALICE@example.com".to_owned()).unwrap();
        assert_eq!(ro.as_deref(), Some("ro"), "{d}: renamed variant");

        // The table refuses a text that names no variant (the column's
        // CHECK); one read from elsewhere fails to decode, naming the enum.
        let refused = exec!(db, r#"UPDATE "user" SET "role" = ? WHERE "email" = ?"#, "bogus".to_owned(), "ALICE@example.com".to_owned());
        assert!(refused.is_err(), "{d}: the enum's CHECK refuses `bogus`");
        let bad = scalar!(db, Role, "SELECT 'bogus'");
        let message = bad.expect_err("bogus is no Role").to_string();
        assert!(message.contains("bogus") && message.contains("Role"), "{d}: {message}");

        // Composite key + cascade from both parents.
        exec!(db, r#"INSERT INTO "membership" ("user_id", "group_id", "joined_on", "role") VALUES (?, ?, ?, ?)"#,
            alice, group, NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(), Role::Member).expect("membership");
        let again = exec!(db, r#"INSERT INTO "membership" ("user_id", "group_id", "joined_on", "role") VALUES (?, ?, ?, ?)"#,
            alice, group, NaiveDate::from_ymd_opt(2026, 1, 3).unwrap(), Role::Admin);
        assert!(again.is_err(), "{d}: composite primary key is enforced");

        // SET NULL: deleting the group clears user.group_id; the membership cascades away.
        exec!(db, r#"DELETE FROM "group" WHERE "id" = ?"#, group).expect("delete group");
        let cleared = scalar!(db, Option<i64>, r#"SELECT "group_id" FROM "user" WHERE "id" = ?"#, alice).unwrap();
        assert_eq!(cleared, Some(None), "{d}: on delete set null");
        let members = scalar!(db, i64, r#"SELECT COUNT(*) FROM "membership""#).unwrap();
        assert_eq!(members, Some(0), "{d}: membership cascaded");

        // RESTRICT: a user with an order cannot be deleted; CASCADE removes order lines.
        exec!(db, r#"INSERT INTO "order" ("user_id", "select") VALUES (?, ?)"#, alice, "A-1".to_owned()).expect("order");
        let order: i64 = scalar!(db, i64, r#"SELECT "id" FROM "order" WHERE "select" = ?"#, "A-1".to_owned()).unwrap().unwrap();
        exec!(db, r#"INSERT INTO "order_line" ("order_id", "line_no", "quantity") VALUES (?, 1, 3)"#, order).expect("line");
        assert!(exec!(db, r#"DELETE FROM "user" WHERE "id" = ?"#, alice).is_err(), "{d}: on delete restrict");
        exec!(db, r#"DELETE FROM "order" WHERE "id" = ?"#, order).expect("delete order");
        let lines = scalar!(db, i64, r#"SELECT COUNT(*) FROM "order_line""#).unwrap();
        assert_eq!(lines, Some(0), "{d}: order lines cascaded");
        let missing_parent = exec!(db, r#"INSERT INTO "order_line" ("order_id", "line_no", "quantity") VALUES (?, 1, 1)"#, 9999_i64);
        assert!(missing_parent.is_err(), "{d}: foreign keys are enforced");

        // Self-reference: deleting the root deletes the whole subtree.
        exec!(db, r#"INSERT INTO "category" ("name") VALUES (?)"#, "root".to_owned()).unwrap();
        let root: i64 = scalar!(db, i64, r#"SELECT "id" FROM "category" WHERE "name" = ?"#, "root".to_owned()).unwrap().unwrap();
        exec!(db, r#"INSERT INTO "category" ("name", "parent_id") VALUES (?, ?)"#, "child".to_owned(), root).unwrap();
        let child: i64 = scalar!(db, i64, r#"SELECT "id" FROM "category" WHERE "name" = ?"#, "child".to_owned()).unwrap().unwrap();
        exec!(db, r#"INSERT INTO "category" ("name", "parent_id") VALUES (?, ?)"#, "grandchild".to_owned(), child).unwrap();
        exec!(db, r#"DELETE FROM "category" WHERE "id" = ?"#, root).unwrap();
        assert_eq!(scalar!(db, i64, r#"SELECT COUNT(*) FROM "category""#).unwrap(), Some(0), "{d}: subtree cascaded");

        // The cycle: a department's manager is an employee of it.
        exec!(db, r#"INSERT INTO "department" ("name") VALUES (?)"#, "R&D".to_owned()).unwrap();
        let dept: i64 = scalar!(db, i64, r#"SELECT "id" FROM "department""#).unwrap().unwrap();
        exec!(db, r#"INSERT INTO "employee" ("department_id") VALUES (?)"#, dept).unwrap();
        let boss: i64 = scalar!(db, i64, r#"SELECT "id" FROM "employee""#).unwrap().unwrap();
        exec!(db, r#"UPDATE "department" SET "manager_id" = ? WHERE "id" = ?"#, boss, dept).unwrap();
        exec!(db, r#"DELETE FROM "employee" WHERE "id" = ?"#, boss).unwrap();
        let manager = scalar!(db, Option<i64>, r#"SELECT "manager_id" FROM "department""#).unwrap();
        assert_eq!(manager, Some(None), "{d}: deferred foreign key acts too");
        t
    })
    .await;
}

#[tokio::test]
async fn create_if_not_exists_is_idempotent_and_drop_all_drops_everything() {
    on_every_backend(
        "create_if_not_exists_is_idempotent_and_drop_all_drops_everything",
        |t| async move {
            let schema = create(&t).await;
            let before = introspect::table_names(&t.db).await;
            schema
                .create_all_if_not_exists(&t.db)
                .await
                .expect("second run changes nothing");
            assert_eq!(introspect::table_names(&t.db).await, before);
            let error = schema.create_all(&t.db).await.expect_err("tables exist");
            assert!(
                error.to_string().contains("CREATE"),
                "the failing statement is named: {error}"
            );
            schema.drop_all(&t.db).await.expect("drop");
            assert!(introspect::table_names(&t.db).await.is_empty());
            t
        },
    )
    .await;
}
