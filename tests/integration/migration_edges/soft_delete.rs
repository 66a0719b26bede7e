//! Soft delete: the column `unique_live` indexes depend on, and MySQL's
//! `entable_live` marker column.

use super::*;

// ---------------------------------------------------------------------------
// 6. The soft-delete column of a table with a unique_live index changes.
// ---------------------------------------------------------------------------

mod live_v1 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "accounts")]
    pub struct Account {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(unique_live, max_length = 100)]
        pub email: String,
        #[entity(deleted_at)]
        pub deleted_at: Option<DateTime<Utc>>,
    }
    tables!(Account);
}

mod live_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "accounts")]
    pub struct Account {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(unique_live, max_length = 100)]
        pub email: String,
        #[entity(deleted_at)]
        pub removed_at: Option<DateTime<Utc>>,
    }
    tables!(Account);
}

fn live_rows_reuse_email(
    t: &TestDb,
    version: usize,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<String>> + Send + '_>> {
    Box::pin(async move {
        if version != 2 {
            return Vec::new();
        }
        let mut out = Vec::new();
        // Soft-delete the live 'a' through the new column: a new 'a' must
        // then be accepted.
        if let Err(e) = crate::exec!(
            t.db,
            "UPDATE accounts SET removed_at = CURRENT_TIMESTAMP WHERE email = 'a'"
        ) {
            out.push(format!("soft delete via removed_at fails: {e}"));
        }
        if let Err(e) = crate::exec!(t.db, "INSERT INTO accounts (email) VALUES ('a')") {
            out.push(format!(
                "after soft-deleting 'a' with the new deleted_at column, inserting 'a' again fails: {e}"
            ));
        }
        out
    })
}

#[tokio::test]
async fn soft_delete_column_changes_under_unique_live() {
    let problems = evolve(
        "live",
        vec![
            v(
                live_v1::tables(),
                &["INSERT INTO accounts (email) VALUES ('a')"],
            ),
            v(live_v2::tables(), &[]),
        ],
        // The check leaves two 'a' rows, one soft-deleted through the new
        // column: the down migration (which drops that column) cannot
        // restore a unique index over them, which is expected.
        false,
        live_rows_reuse_email,
    )
    .await;
    report("soft-delete column changes under unique_live", &problems);
}

mod live_rename_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "accounts")]
    pub struct Account {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(unique_live, max_length = 100)]
        pub email: String,
        #[entity(deleted_at, renamed_from = "deleted_at")]
        pub removed_at: Option<DateTime<Utc>>,
    }
    tables!(Account);
}

#[tokio::test]
async fn soft_delete_column_renamed_under_unique_live() {
    let problems = evolve(
        "live_rename",
        vec![
            v(
                live_v1::tables(),
                &["INSERT INTO accounts (email) VALUES ('a')"],
            ),
            v(live_rename_v2::tables(), &[]),
        ],
        true,
        live_rows_reuse_email,
    )
    .await;
    report("soft-delete column renamed under unique_live", &problems);
}

// ---------------------------------------------------------------------------
// 11. unique_live added to / removed from a soft-deleted table (MySQL
//     marker column).
// ---------------------------------------------------------------------------

mod marker_v1 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "accounts")]
    pub struct Account {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 100)]
        pub email: String,
        #[entity(deleted_at)]
        pub deleted_at: Option<DateTime<Utc>>,
    }
    tables!(Account);
}

mod marker_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "accounts", unique_live(email, id))]
    pub struct Account {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 100, unique_live)]
        pub email: String,
        #[entity(deleted_at)]
        pub deleted_at: Option<DateTime<Utc>>,
    }
    tables!(Account);
}

#[tokio::test]
async fn live_marker_added_and_removed() {
    let problems = evolve(
        "marker",
        vec![
            v(
                marker_v1::tables(),
                &["INSERT INTO accounts (email) VALUES ('a')"],
            ),
            v(marker_v2::tables(), &[]),
            v(marker_v1::tables(), &[]),
        ],
        true,
        no_check,
    )
    .await;
    report("live marker added and removed", &problems);
}

// ---------------------------------------------------------------------------
// 18. MySQL marker: a table becomes soft-deleted and gets a unique_live
//     index in the same migration, and is renamed at the same time.
// ---------------------------------------------------------------------------

mod soft_new_v1 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "users")]
    pub struct User {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(unique, max_length = 100)]
        pub email: String,
    }
    tables!(User);
}

mod soft_new_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "customers", renamed_from = "users")]
    pub struct Customer {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(unique_live, max_length = 100)]
        pub email: String,
        #[entity(deleted_at)]
        pub deleted_at: Option<DateTime<Utc>>,
    }
    tables!(Customer);
}

#[tokio::test]
async fn table_becomes_soft_deleted_with_unique_live() {
    let problems = evolve(
        "soft_new",
        vec![
            v(
                soft_new_v1::tables(),
                &["INSERT INTO users (email) VALUES ('a')"],
            ),
            v(
                soft_new_v2::tables(),
                &[
                    "UPDATE customers SET deleted_at = CURRENT_TIMESTAMP",
                    "INSERT INTO customers (email) VALUES ('a')",
                ],
            ),
        ],
        false,
        no_check,
    )
    .await;
    report("table becomes soft-deleted with unique_live", &problems);
}

// ---------------------------------------------------------------------------
// Flags: a time stamp becomes a `deleted_flag`, which becomes a `live_flag`
// on another column, all under a unique_live index (its predicate and
// MySQL's marker column change with the marker each time).
// ---------------------------------------------------------------------------

mod flag_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "accounts")]
    pub struct Account {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(unique_live, max_length = 100)]
        pub email: String,
        #[entity(deleted_flag)]
        pub is_deleted: bool,
    }
    tables!(Account);
}

mod flag_v3 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "accounts")]
    pub struct Account {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(unique_live, max_length = 100)]
        pub email: String,
        #[entity(live_flag)]
        pub active: bool,
    }
    tables!(Account);
}

/// At each flag version: a second live 'a' is refused, soft-deleting the
/// live one through the flag lets a new 'a' in; the old one is then purged
/// so the next migration (which resets the marker) keeps one 'a'.
fn flag_marks_live_rows(
    t: &TestDb,
    version: usize,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<String>> + Send + '_>> {
    Box::pin(async move {
        let (delete, purge) = match version {
            2 => (
                "UPDATE accounts SET is_deleted = TRUE WHERE email = 'a'",
                "DELETE FROM accounts WHERE is_deleted = TRUE",
            ),
            3 => (
                "UPDATE accounts SET active = FALSE WHERE email = 'a'",
                "DELETE FROM accounts WHERE active = FALSE",
            ),
            _ => return Vec::new(),
        };
        let mut out = Vec::new();
        if crate::exec!(t.db, "INSERT INTO accounts (email) VALUES ('a')").is_ok() {
            out.push(format!("v{version}: a second live 'a' is accepted"));
        }
        for sql in [delete, "INSERT INTO accounts (email) VALUES ('a')", purge] {
            if let Err(e) = crate::exec!(t.db, sql) {
                out.push(format!("v{version}: `{sql}` fails: {e}"));
            }
        }
        out
    })
}

#[tokio::test]
async fn soft_delete_marker_becomes_a_flag_under_unique_live() {
    let problems = evolve(
        "flag",
        vec![
            v(
                live_v1::tables(),
                &["INSERT INTO accounts (email) VALUES ('a')"],
            ),
            v(flag_v2::tables(), &[]),
            v(flag_v3::tables(), &[]),
        ],
        true,
        flag_marks_live_rows,
    )
    .await;
    report(
        "soft-delete marker becomes a flag under unique_live",
        &problems,
    );
}

mod flag_marker_v1 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "accounts")]
    pub struct Account {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 100)]
        pub email: String,
        #[entity(live_flag)]
        pub active: bool,
    }
    tables!(Account);
}

mod flag_marker_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "accounts", unique_live(email, id))]
    pub struct Account {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(max_length = 100, unique_live)]
        pub email: String,
        #[entity(live_flag)]
        pub active: bool,
    }
    tables!(Account);
}

#[tokio::test]
async fn live_marker_of_a_flag_added_and_removed() {
    let problems = evolve(
        "flag_marker",
        vec![
            v(
                flag_marker_v1::tables(),
                &[
                    "INSERT INTO accounts (email) VALUES ('a')",
                    "INSERT INTO accounts (email, active) VALUES ('a', FALSE)",
                ],
            ),
            v(
                flag_marker_v2::tables(),
                &["INSERT INTO accounts (email, active) VALUES ('a', FALSE)"],
            ),
            v(flag_marker_v1::tables(), &[]),
        ],
        true,
        no_check,
    )
    .await;
    report("live marker of a flag added and removed", &problems);
}
