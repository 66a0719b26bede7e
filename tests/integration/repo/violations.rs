//! NOT NULL, CHECK and foreign key violations raised by the server, each
//! surfacing as its typed error with the column or constraint named, on
//! every backend.
//!
//! entable's own DDL never lets a typed value break NOT NULL and declares
//! only the CHECKs an entity asks for (none here), so the table here is
//! created by hand, stricter than the entity: the schema drift an application meets when the database was
//! changed behind its back.

use entable::Error;
use entable::backend::Dialect;
use entable::dto::Patch;
use entable::prelude::*;

use crate::support::{TestDb, on_every_backend};

#[derive(Entity, Debug)]
#[entity(table = "ledger")]
pub struct Ledger {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub memo: Option<String>,
    pub qty: i32,
}

async fn strict_table(t: &TestDb) {
    let ddl = match t.dialect {
        Dialect::Postgres => {
            r#"CREATE TABLE "ledger" ("id" BIGSERIAL PRIMARY KEY, "memo" TEXT NOT NULL, "qty" INTEGER NOT NULL CONSTRAINT "ck_ledger_qty" CHECK ("qty" >= 0))"#
        }
        Dialect::MySql => {
            "CREATE TABLE `ledger` (`id` BIGINT AUTO_INCREMENT PRIMARY KEY, `memo` TEXT NOT NULL, `qty` INT NOT NULL, CONSTRAINT `ck_ledger_qty` CHECK (`qty` >= 0))"
        }
        Dialect::Sqlite => {
            r#"CREATE TABLE "ledger" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "memo" TEXT NOT NULL, "qty" INTEGER NOT NULL CONSTRAINT "ck_ledger_qty" CHECK ("qty" >= 0))"#
        }
    };
    t.db.execute_ddl(&[ddl.to_owned()])
        .await
        .expect("strict table");
}

fn entry(memo: Option<&str>, qty: i32) -> LedgerCreate {
    LedgerCreate {
        memo: memo.map(str::to_owned),
        qty,
    }
}

#[track_caller]
fn assert_not_null(error: &Error, operation: &str) {
    match error {
        Error::NotNullViolation {
            column, context, ..
        } => {
            assert_eq!(column.as_deref(), Some("memo"), "{error}");
            assert_eq!((context.entity, context.operation), ("Ledger", operation));
        }
        other => panic!("expected NotNullViolation, got {other:?}"),
    }
    assert!(
        error
            .to_string()
            .starts_with(&format!("Ledger::{operation}: ")),
        "{error}"
    );
}

#[track_caller]
fn assert_check(error: &Error, operation: &str) {
    match error {
        Error::CheckViolation {
            constraint,
            context,
            ..
        } => {
            assert_eq!(constraint.as_deref(), Some("ck_ledger_qty"), "{error}");
            assert_eq!((context.entity, context.operation), ("Ledger", operation));
        }
        other => panic!("expected CheckViolation, got {other:?}"),
    }
}

#[tokio::test]
async fn not_null_and_check_violations() {
    on_every_backend("not_null_and_check_violations", |t| async move {
        strict_table(&t).await;
        let db = &t.db;

        let error = Ledger::create(db, entry(None, 1))
            .await
            .expect_err("memo is NOT NULL in the table");
        assert_not_null(&error, "create");
        let error = Ledger::create(db, entry(Some("refund"), -1))
            .await
            .expect_err("qty must not be negative");
        assert_check(&error, "create");
        assert_eq!(Ledger::count(db, Expr::all()).await.expect("count"), 0);

        let row = Ledger::create(db, entry(Some("stock"), 3))
            .await
            .expect("a valid row");
        let clear_memo = LedgerUpdate {
            memo: Patch::Set(None),
            ..Default::default()
        };
        let error = Ledger::update(db, row.id, clear_memo)
            .await
            .expect_err("NULL memo");
        assert_not_null(&error, "update");
        let negative = LedgerUpdate {
            qty: Patch::Set(-5),
            ..Default::default()
        };
        let error = Ledger::update(db, row.id, negative)
            .await
            .expect_err("negative qty");
        assert_check(&error, "update");

        let kept = Ledger::get(db, row.id).await.expect("get").expect("row");
        assert_eq!((kept.memo.as_deref(), kept.qty), (Some("stock"), 3));
        t
    })
    .await;
}
