//! CHECK constraints in migrations: an enum that gains a label (its check
//! changes) while its column is renamed (so is its check), a field check
//! and a struct check added, applied and reverted
//! on every backend; the harness compares check names with fresh DDL. At
//! each version the database must refuse what that version forbids and
//! accept what it allows.

use super::*;

mod checks_v1 {
    use entable::prelude::*;
    #[derive(DbEnum, Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Stage {
        Open,
        #[db_enum(rename = "on-hold")]
        OnHold,
    }
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "mc_items")]
    pub struct Item {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        pub stage: Stage,
        pub qty: i32,
        pub low: i32,
        pub high: i32,
    }
    tables!(Item);
}

mod checks_v2 {
    use entable::prelude::*;
    #[derive(DbEnum, Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Stage {
        Open,
        #[db_enum(rename = "on-hold")]
        OnHold,
        #[db_enum(rename = "it's closed")]
        Closed,
    }
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "mc_items", check(sql = "low <= high"))]
    pub struct Item {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(renamed_from = "stage")]
        pub phase: Stage,
        #[entity(check(name = "Item-Qty", sql = "qty >= 0"))]
        pub qty: i32,
        pub low: i32,
        pub high: i32,
    }
    tables!(Item);
}

/// Whether `sql` is accepted, as the problem it is if that is not `want`.
async fn expect(t: &TestDb, sql: &str, want: bool) -> Option<String> {
    // Autocommitted, one by one: a refused statement leaves no
    // transaction behind to roll back.
    let ok = crate::exec!(t.db, sql).is_ok();
    (ok != want).then(|| format!("{sql}: {}", if want { "refused" } else { "accepted" }))
}

fn refusals(
    t: &TestDb,
    n: usize,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<String>> + Send + '_>> {
    Box::pin(async move {
        let v2 = n == 2;
        let stage = if v2 { "phase" } else { "stage" };
        let insert = |values: &str| {
            format!("INSERT INTO mc_items ({stage}, qty, low, high) VALUES ({values})")
        };
        let mut problems = Vec::new();
        for (sql, want) in [
            (insert("'shut', 1, 1, 2"), false),
            (insert("'it''s closed', 1, 1, 2"), v2),
            (insert("'open', -1, 1, 2"), !v2),
            (insert("'open', 1, 3, 2"), !v2),
        ] {
            problems.extend(expect(t, &sql, want).await);
        }
        // Back to rows every version accepts, so that a revert can apply
        // the stricter checks again.
        problems.extend(
            expect(
                t,
                &format!(
                    "DELETE FROM mc_items WHERE {stage} = 'it''s closed' OR qty < 0 OR low > high"
                ),
                true,
            )
            .await,
        );
        problems
    })
}

#[tokio::test]
async fn checks_added_and_an_enum_gaining_a_label() {
    let problems = evolve(
        "checks",
        vec![
            v(
                checks_v1::tables(),
                &["INSERT INTO mc_items (stage, qty, low, high) VALUES ('on-hold', 1, 1, 1)"],
            ),
            v(
                checks_v2::tables(),
                &["INSERT INTO mc_items (phase, qty, low, high) VALUES ('open', 2, 1, 3)"],
            ),
        ],
        true,
        refusals,
    )
    .await;
    report("checks added and an enum gaining a label", &problems);
}

/// The generated statements: the enum's check dropped and added with the
/// new label, per dialect; SQLite rebuilds the table.
#[test]
fn generated_check_statements() {
    let root = scratch_dir("checks_sql");
    generate(
        &root,
        &[v(checks_v1::tables(), &[]), v(checks_v2::tables(), &[])],
    );
    let read = |dialect: &str, first: bool| {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dialect))
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.to_string_lossy().ends_with(".up.sql"))
            .collect();
        files.sort();
        let file = if first { &files[0] } else { &files[1] };
        std::fs::read_to_string(file).expect("read")
    };
    let pg = read("postgres", false);
    for needle in [
        r#"ALTER TABLE "mc_items" RENAME COLUMN "stage" TO "phase""#,
        r#"ALTER TABLE "mc_items" DROP CONSTRAINT "ck_mc_items_stage""#,
        r#"ALTER TABLE "mc_items" ADD CONSTRAINT "ck_mc_items_phase" CHECK ("phase" IN ('open', 'on-hold', 'it''s closed'))"#,
        r#"ALTER TABLE "mc_items" ADD CONSTRAINT "Item-Qty" CHECK (qty >= 0)"#,
        r#"ALTER TABLE "mc_items" ADD CONSTRAINT "ck_mc_items_1" CHECK (low <= high)"#,
    ] {
        assert!(pg.contains(needle), "postgres lacks {needle}:\n{pg}");
    }
    let mysql = read("mysql", false);
    for needle in [
        "ALTER TABLE `mc_items` DROP CONSTRAINT `ck_mc_items_stage`",
        "ALTER TABLE `mc_items` ADD CONSTRAINT `ck_mc_items_phase` CHECK (`phase` IN ('open', 'on-hold', 'it''s closed'))",
    ] {
        assert!(mysql.contains(needle), "mysql lacks {needle}:\n{mysql}");
    }
    let sqlite = read("sqlite", false);
    assert!(sqlite.contains("-- rebuild mc_items"), "{sqlite}");
    assert!(
        sqlite.contains(r#"CONSTRAINT "ck_mc_items_phase" CHECK ("phase" IN ('open', 'on-hold', 'it''s closed'))"#),
        "{sqlite}"
    );
    // The first version creates the enum's check with the table.
    let first = read("postgres", true);
    assert!(
        first.contains(r#"CONSTRAINT "ck_mc_items_stage" CHECK ("stage" IN ('open', 'on-hold'))"#),
        "{first}"
    );
    let _ = std::fs::remove_dir_all(&root);
}
