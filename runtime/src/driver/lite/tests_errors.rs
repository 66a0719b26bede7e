//! The rusqlite driver's errors: decoding, and the constraint a statement
//! broke as entable's classification reads it.

use super::tests::{Mood, conn, run};
use super::{Lite, LiteArgs, LiteConn};
use crate::driver::{Backend, DriverError, statement};

#[tokio::test]
async fn decode_errors() {
    let mut c = conn();
    let row = statement::fetch_one::<Lite>(
        &mut c,
        "SELECT 'x', 70000, NULL, 'other'",
        LiteArgs::default(),
    )
    .await
    .expect("select");
    let decode_error =
        |r: Result<_, DriverError>| matches!(r, Err(DriverError::ColumnDecode { .. }));
    assert!(decode_error(Lite::get::<i64>(&row, 0).map(drop)));
    assert!(decode_error(Lite::get::<i16>(&row, 1).map(drop)));
    assert!(decode_error(Lite::get::<String>(&row, 2).map(drop)));
    assert!(decode_error(Lite::get::<Mood>(&row, 3).map(drop)));
    assert!(matches!(
        Lite::get::<i64>(&row, 4),
        Err(DriverError::ColumnIndexOutOfBounds { index: 4, len: 4 })
    ));
    assert!(matches!(
        statement::fetch_one::<Lite>(&mut c, "SELECT 1 WHERE 0", LiteArgs::default()).await,
        Err(DriverError::RowNotFound)
    ));
    // A misused API is not `Protocol`, which means a lost connection.
    assert!(matches!(
        statement::execute::<Lite>(&mut c, "SELECT 1; SELECT 2", LiteArgs::default()).await,
        Err(DriverError::InvalidArgument(_))
    ));
    assert!(matches!(
        statement::copy_in::<Lite>(&mut c, String::new(), Vec::new()).await,
        Err(DriverError::InvalidArgument(_))
    ));
}

/// The constraint a statement broke, as entable's classification reads it.
async fn violation(
    c: &mut LiteConn,
    sql: &'static str,
) -> (sqlx::error::ErrorKind, String, String) {
    match statement::execute::<Lite>(c, sql, LiteArgs::default()).await {
        Err(DriverError::Database(db)) => {
            assert!(db.try_downcast_ref::<super::LiteError>().is_some());
            (
                db.kind(),
                db.code().unwrap_or_default().into_owned(),
                db.message().to_owned(),
            )
        }
        other => panic!("{sql}: {other:?}"),
    }
}

#[tokio::test]
async fn constraint_violations() {
    use sqlx::error::ErrorKind;
    let mut c = conn();
    run(
        &mut c,
        "CREATE TABLE parent (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, n INTEGER CONSTRAINT ck_n_positive CHECK (n > 0));
         CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));
         INSERT INTO parent VALUES (1, 'a@x', 1);",
    )
    .await;
    let unique = violation(&mut c, "INSERT INTO parent VALUES (2, 'a@x', 1)").await;
    assert_eq!(
        unique,
        (
            ErrorKind::UniqueViolation,
            "2067".into(),
            "UNIQUE constraint failed: parent.email".into()
        )
    );
    let key = violation(&mut c, "INSERT INTO parent VALUES (1, 'b@x', 1)").await;
    assert_eq!(
        key,
        (
            ErrorKind::UniqueViolation,
            "1555".into(),
            "UNIQUE constraint failed: parent.id".into()
        )
    );
    let not_null = violation(&mut c, "INSERT INTO parent VALUES (3, NULL, 1)").await;
    assert_eq!(
        not_null,
        (
            ErrorKind::NotNullViolation,
            "1299".into(),
            "NOT NULL constraint failed: parent.email".into()
        )
    );
    let check = violation(&mut c, "INSERT INTO parent VALUES (4, 'c@x', 0)").await;
    assert_eq!(
        check,
        (
            ErrorKind::CheckViolation,
            "275".into(),
            "CHECK constraint failed: ck_n_positive".into()
        )
    );
    // Foreign keys are enforced, as on sqlx-sqlite's connections.
    let foreign = violation(&mut c, "INSERT INTO child VALUES (1, 99)").await;
    assert_eq!(
        foreign,
        (
            ErrorKind::ForeignKeyViolation,
            "787".into(),
            "FOREIGN KEY constraint failed".into()
        )
    );
    let syntax = violation(&mut c, "INSERT INTO nowhere VALUES (1)").await;
    assert_eq!((syntax.0, syntax.1.as_str()), (ErrorKind::Other, "1"));
}

/// Another connection's write lock is SQLITE_BUSY, which entable retries
/// (`Error::is_retryable`) as it does sqlx-sqlite's.
#[tokio::test]
async fn busy_is_retryable() {
    let path = std::env::temp_dir().join(format!("entable-busy-{}.db", uuid::Uuid::new_v4()));
    let mut holder = LiteConn::open(&path).expect("open");
    let mut waiter = LiteConn::open(&path).expect("open");
    waiter
        .connection()
        .busy_timeout(std::time::Duration::ZERO)
        .expect("timeout");
    Lite::begin(&mut holder, Some("BEGIN IMMEDIATE".into()))
        .await
        .expect("begin");
    let busy = Lite::begin(&mut waiter, Some("BEGIN IMMEDIATE".into()))
        .await
        .expect_err("locked");
    let code = busy.as_database_error().and_then(|db| db.code());
    assert_eq!(code.as_deref(), Some("5"));
    assert!(crate::Error::from(busy).is_retryable());
    assert_eq!(Lite::transaction_depth(&waiter), 0);
    Lite::commit(&mut holder).await.expect("commit");
    Lite::begin(&mut waiter, Some("BEGIN IMMEDIATE".into()))
        .await
        .expect("free now");
    Lite::rollback(&mut waiter).await.expect("rollback");
    drop((holder, waiter));
    let _ = std::fs::remove_file(&path);
}
