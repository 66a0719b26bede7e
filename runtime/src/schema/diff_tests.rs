//! Unit tests of [`super`]: kept apart so the diff itself stays readable.
use super::*;
use crate::schema::snapshot::{FORMAT, PerDialect};

fn column(name: &str, ty: &str, nullable: bool) -> ColumnSnapshot {
    ColumnSnapshot {
        name: name.into(),
        sql_type: PerDialect {
            postgres: ty.into(),
            mysql: ty.into(),
            sqlite: ty.into(),
        },
        nullable,
        default: None,
        auto_increment: false,
        renamed_from: None,
        comment: None,
    }
}

fn table(name: &str, columns: Vec<ColumnSnapshot>, references: &[&str]) -> TableSnapshot {
    TableSnapshot {
        name: name.into(),
        schema: None,
        columns,
        primary_key_name: format!("pk_{name}"),
        primary_key: vec!["id".into()],
        indexes: Vec::new(),
        foreign_keys: references
            .iter()
            .map(|target| ForeignKeySnapshot {
                name: format!("fk_{name}_{target}"),
                column: format!("{target}_id"),
                references: (*target).into(),
                references_column: "id".into(),
                on_delete: "NO ACTION".into(),
                on_update: "NO ACTION".into(),
            })
            .collect(),
        soft_delete: None,
        renamed_from: None,
        comment: None,
        soft_delete_live: None,
        checks: Vec::new(),
    }
}

fn snapshot(tables: Vec<TableSnapshot>) -> Snapshot {
    Snapshot {
        format: FORMAT,
        tables,
    }
}

fn kinds(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| match c {
            Change::RenameTable { from, to } => format!("rename {from} {to}"),
            Change::RenameColumn { table, from, to } => format!("rename {table}.{from} {to}"),
            Change::AlterPrimaryKey { table, .. } => format!("key {table}"),
            Change::CreateTable(t) => format!("create {}", t.name),
            Change::DropTable(t) => format!("drop {}", t.name),
            Change::AddColumn { table, column } => format!("add {table}.{}", column.name),
            Change::DropColumn { table, column } => format!("drop {table}.{}", column.name),
            Change::AlterColumn { table, to, .. } => format!("alter {table}.{}", to.name),
            Change::AddIndex { index, .. } => format!("add index {}", index.name),
            Change::DropIndex { index, .. } => format!("drop index {}", index.name),
            Change::AddForeignKey { foreign_key, .. } => format!("add fk {}", foreign_key.name),
            Change::DropForeignKey { foreign_key, .. } => {
                format!("drop fk {}", foreign_key.name)
            }
            Change::AlterTableComment { table, .. } => format!("comment {table}"),
            Change::AddCheck { check, .. } => format!("add check {}", check.name),
            Change::DropCheck { check, .. } => format!("drop check {}", check.name),
        })
        .collect()
}

#[test]
fn same_snapshot_no_changes() {
    let s = snapshot(vec![table("a", vec![column("id", "BIGINT", false)], &[])]);
    assert!(diff(&s, &s).is_empty());
}

#[test]
fn tables_in_dependency_order() {
    let old = snapshot(Vec::new());
    let new = snapshot(vec![
        table("comments", vec![column("id", "BIGINT", false)], &["posts"]),
        table("posts", vec![column("id", "BIGINT", false)], &["users"]),
        table("users", vec![column("id", "BIGINT", false)], &[]),
    ]);
    assert_eq!(
        kinds(&diff(&old, &new)),
        [
            "create users",
            "create posts",
            "create comments",
            "add fk fk_comments_posts",
            "add fk fk_posts_users",
        ]
    );
    // Back again: keys first, referring tables before referred ones.
    assert_eq!(
        kinds(&diff(&new, &old)),
        [
            "drop fk fk_comments_posts",
            "drop fk fk_posts_users",
            "drop comments",
            "drop posts",
            "drop users",
        ]
    );
}

#[test]
fn comments_are_changes_and_never_destructive() {
    let old = snapshot(vec![table("t", vec![column("id", "BIGINT", false)], &[])]);
    let mut new = old.clone();
    new.tables[0].comment = Some("it's".into());
    new.tables[0].columns[0].comment = Some("key".into());
    let changes = diff(&old, &new);
    assert_eq!(kinds(&changes), ["alter t.id", "comment t"]);
    assert!(changes.iter().all(|c| !c.is_destructive()));
    assert_eq!(changes[1].describe(), "table t: comment changed");
    assert_eq!(kinds(&diff(&new, &old)), ["alter t.id", "comment t"]);
}

#[test]
fn a_changed_check_is_dropped_then_added() {
    let check = |name: &str, sql: &str| CheckSnapshot {
        name: name.into(),
        sql: PerDialect {
            postgres: sql.into(),
            mysql: sql.into(),
            sqlite: sql.into(),
        },
    };
    let mut old = snapshot(vec![table(
        "t",
        vec![column("id", "BIGINT", false), column("old", "TEXT", false)],
        &[],
    )]);
    old.tables[0].checks = vec![check("ck_t_old", "old <> ''"), check("ck_t_id", "id > 0")];
    let mut new = snapshot(vec![table(
        "t",
        vec![column("id", "BIGINT", false), column("new", "TEXT", false)],
        &[],
    )]);
    new.tables[0].checks = vec![check("ck_t_new", "new <> ''"), check("ck_t_id", "id > 1")];
    let changes = diff(&old, &new);
    assert_eq!(
        kinds(&changes),
        [
            "drop check ck_t_old",
            "drop check ck_t_id",
            "drop t.old",
            "add t.new",
            "add check ck_t_new",
            "add check ck_t_id",
        ]
    );
    assert!(!changes[0].is_destructive());
    assert_eq!(changes[4].describe(), "add check ck_t_new on t");
}

#[test]
fn columns_and_destructive_changes() {
    let old = snapshot(vec![table(
        "t",
        vec![
            column("id", "BIGINT", false),
            column("gone", "TEXT", true),
            column("narrow", "VARCHAR(100)", false),
            column("strict", "TEXT", true),
            column("loose", "TEXT", false),
        ],
        &[],
    )]);
    let new = snapshot(vec![table(
        "t",
        vec![
            column("id", "BIGINT", false),
            column("narrow", "VARCHAR(10)", false),
            column("strict", "TEXT", false),
            column("loose", "TEXT", true),
            column("fresh", "INTEGER", true),
        ],
        &[],
    )]);
    let changes = diff(&old, &new);
    assert_eq!(
        kinds(&changes),
        [
            "drop t.gone",
            "add t.fresh",
            "alter t.narrow",
            "alter t.strict",
            "alter t.loose"
        ]
    );
    let destructive: Vec<bool> = changes.iter().map(Change::is_destructive).collect();
    assert_eq!(destructive, [true, false, true, true, false]);
}
