//! The rusqlite driver's transactions: savepoints, and guards dropped
//! half-way (a cancelled operation).

use super::tests::{args, conn, count, run};
use super::{Lite, LiteArgs, LiteConn};
use crate::driver::{Backend, DriverError, Nested, statement};

async fn names(c: &mut LiteConn) -> Vec<String> {
    statement::fetch_all::<Lite>(c, "SELECT name FROM t ORDER BY name", LiteArgs::default())
        .await
        .expect("select")
        .iter()
        .map(|row| Lite::get::<String>(row, 0).expect("name"))
        .collect()
}

async fn insert(c: &mut LiteConn, name: &str) {
    statement::execute::<Lite>(
        c,
        "INSERT INTO t (name) VALUES (?)",
        args(vec![name.to_owned()]),
    )
    .await
    .expect("insert");
}

#[tokio::test]
async fn nested_transactions_are_savepoints() {
    let mut c = conn();
    run(&mut c, "CREATE TABLE t (name TEXT)").await;
    Lite::begin(&mut c, None).await.expect("begin");
    insert(&mut c, "outer").await;
    Lite::begin(&mut c, None).await.expect("savepoint");
    assert_eq!(Lite::transaction_depth(&c), 2);
    // Named as sqlx-sqlite names it.
    run(&mut c, "ROLLBACK TO SAVEPOINT _sqlx_savepoint_1").await;
    insert(&mut c, "rolled back").await;
    Lite::rollback(&mut c).await.expect("rollback savepoint");
    // Rolled back and released: the savepoint is gone.
    assert!(
        statement::execute_script::<Lite>(&mut c, "ROLLBACK TO SAVEPOINT _sqlx_savepoint_1")
            .await
            .is_err()
    );
    Lite::begin(&mut c, None).await.expect("savepoint");
    insert(&mut c, "released").await;
    Lite::commit(&mut c).await.expect("release");
    assert_eq!(Lite::transaction_depth(&c), 1);
    // A custom BEGIN is refused inside a transaction, as by sqlx.
    assert!(matches!(
        Lite::begin(&mut c, Some("BEGIN IMMEDIATE".into())).await,
        Err(DriverError::InvalidSavePointStatement)
    ));
    Lite::commit(&mut c).await.expect("commit");
    assert_eq!(Lite::transaction_depth(&c), 0);
    assert!(c.connection().is_autocommit());
    assert_eq!(names(&mut c).await, ["outer", "released"]);

    // A committed savepoint is undone by its transaction's rollback.
    Lite::begin(&mut c, Some("BEGIN IMMEDIATE".into()))
        .await
        .expect("begin immediate");
    Lite::begin(&mut c, None).await.expect("savepoint");
    insert(&mut c, "gone").await;
    Lite::commit(&mut c).await.expect("release");
    Lite::rollback(&mut c).await.expect("rollback");
    assert_eq!(names(&mut c).await, ["outer", "released"]);
    // Nothing open: commit and rollback do nothing, as with sqlx.
    Lite::commit(&mut c).await.expect("no-op commit");
    Lite::rollback(&mut c).await.expect("no-op rollback");
    // A custom statement that opens no transaction fails.
    assert!(matches!(
        Lite::begin(&mut c, Some("SELECT 1".into())).await,
        Err(DriverError::BeginFailed)
    ));
    assert_eq!(Lite::transaction_depth(&c), 0);
}

#[tokio::test]
async fn dropped_guard_leaves_no_transaction() {
    let mut c = conn();
    run(&mut c, "CREATE TABLE t (name TEXT)").await;
    {
        let mut tx = Nested::<Lite>::begin(&mut c, Some("BEGIN IMMEDIATE"))
            .await
            .expect("begin");
        insert(&mut tx, "abandoned").await;
        // Dropped unfinished: a cancelled operation.
    }
    assert_eq!(Lite::transaction_depth(&c), 0);
    // The queued rollback runs before the next statement.
    assert_eq!(names(&mut c).await, Vec::<String>::new());
    assert!(c.connection().is_autocommit());

    // Inner guard dropped, outer committed: only the outer work stays.
    {
        let mut outer = Nested::<Lite>::begin(&mut c, Some("BEGIN IMMEDIATE"))
            .await
            .expect("begin");
        insert(&mut outer, "kept").await;
        {
            let mut inner = Nested::<Lite>::begin(&mut outer, Some("BEGIN IMMEDIATE"))
                .await
                .expect("savepoint");
            insert(&mut inner, "dropped").await;
        }
        assert_eq!(Lite::transaction_depth(&outer), 1);
        outer.commit().await.expect("commit");
    }
    assert_eq!(names(&mut c).await, ["kept"]);
    assert!(c.connection().is_autocommit());

    // Both dropped: both rolled back, and a fresh BEGIN IMMEDIATE is used.
    {
        let mut outer = Nested::<Lite>::begin(&mut c, None).await.expect("begin");
        let _inner = Nested::<Lite>::begin(&mut outer, None)
            .await
            .expect("savepoint");
    }
    assert_eq!(Lite::transaction_depth(&c), 0);
    let tx = Nested::<Lite>::begin(&mut c, Some("BEGIN IMMEDIATE"))
        .await
        .expect("begin after drop");
    tx.rollback().await.expect("rollback");
    c.settle().expect("settle");
    assert!(c.connection().is_autocommit());
    assert_eq!(count(&mut c, "SELECT COUNT(*) FROM t").await, 1);
}
