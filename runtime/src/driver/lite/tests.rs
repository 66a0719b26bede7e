//! The rusqlite driver on its own: values, errors, statements,
//! transactions. (`tests_compat.rs` checks it against sqlx-sqlite.)

use std::fmt::Debug;

use futures_util::StreamExt as _;
use rusqlite::types::Value;

use super::{Lite, LiteArgs, LiteConn, LiteValue};
use crate::driver::{Backend, ColumnValue, DriverError, Nested, bind_owned, statement};

#[derive(crate::DbEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[db_enum(crate = "crate")]
enum Mood {
    Calm,
    #[db_enum(rename = "cross")]
    Angry,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Point {
    x: i32,
    label: String,
}

fn conn() -> LiteConn {
    match LiteConn::open_in_memory() {
        Ok(conn) => conn,
        Err(error) => panic!("open: {error}"),
    }
}

fn args<T: ColumnValue<Lite>>(values: Vec<T>) -> LiteArgs {
    let mut args = LiteArgs::default();
    for value in values {
        bind_owned::<Lite, T>(&mut args, value).expect("bind");
    }
    args
}

async fn run(conn: &mut LiteConn, sql: &'static str) {
    statement::execute_script::<Lite>(conn, sql)
        .await
        .expect(sql);
}

async fn count(conn: &mut LiteConn, sql: &'static str) -> i64 {
    statement::fetch_scalar::<Lite, i64>(conn, sql, LiteArgs::default())
        .await
        .expect(sql)
}

/// Writes `value` to an untyped column, reads it back; the same for
/// `Some(value)` and `None`.
async fn round_trip<T: ColumnValue<Lite> + LiteValue + Clone + PartialEq + Debug>(value: T) {
    let mut c = conn();
    run(&mut c, "CREATE TABLE t (v)").await;
    let insert = "INSERT INTO t (v) VALUES (?)";
    statement::execute::<Lite>(&mut c, insert, args(vec![value.clone()]))
        .await
        .expect("insert");
    statement::execute::<Lite>(&mut c, insert, args(vec![Some(value.clone())]))
        .await
        .expect("insert Some");
    statement::execute::<Lite>(&mut c, insert, args(vec![None::<T>]))
        .await
        .expect("insert None");
    let rows = statement::fetch_all::<Lite>(
        &mut c,
        "SELECT v FROM t ORDER BY rowid",
        LiteArgs::default(),
    )
    .await
    .expect("select");
    assert_eq!(rows.len(), 3);
    assert_eq!(Lite::get::<T>(&rows[0], 0).expect("decode"), value);
    assert_eq!(
        Lite::get::<Option<T>>(&rows[1], 0).expect("decode Some"),
        Some(value)
    );
    assert_eq!(
        Lite::get::<Option<T>>(&rows[2], 0).expect("decode None"),
        None
    );
    // NULL into a non-Option type is sqlx's UnexpectedNullError.
    match Lite::get::<T>(&rows[2], 0) {
        Err(DriverError::ColumnDecode { source, .. }) => {
            assert!(source.is::<sqlx::error::UnexpectedNullError>(), "{source}");
        }
        other => panic!("NULL decoded as {other:?}"),
    }
}

#[tokio::test]
async fn every_mapped_type_round_trips() {
    round_trip(true).await;
    round_trip(false).await;
    round_trip(i16::MIN).await;
    round_trip(i32::MAX).await;
    round_trip(i64::MIN).await;
    round_trip(1.5f32).await;
    round_trip(-2.25e300f64).await;
    round_trip(String::from("née, 東京, \u{1F600}")).await;
    round_trip(vec![0u8, 255, 10]).await;
    round_trip(uuid::Uuid::new_v4()).await;
    round_trip(Mood::Angry).await;
    #[cfg(feature = "json")]
    {
        round_trip(serde_json::json!({"a": [1, 2.5, null], "b": "x"})).await;
        round_trip(crate::types::Json(Point {
            x: -3,
            label: "p".into(),
        }))
        .await;
    }
    #[cfg(feature = "chrono")]
    {
        use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
        let at = NaiveDate::from_ymd_opt(2024, 2, 29)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 58, 123_456_789))
            .expect("date");
        round_trip(Utc.from_utc_datetime(&at)).await;
        round_trip(at).await;
        round_trip(at.date()).await;
        round_trip(at.time()).await;
        round_trip(NaiveTime::from_hms_opt(1, 2, 3).expect("time")).await;
    }
    #[cfg(feature = "time")]
    {
        use time::macros::{date, datetime, offset, time};
        round_trip(datetime!(2024-02-29 23:59:58.123456789).assume_offset(offset!(+02:30))).await;
        round_trip(datetime!(1999-12-31 00:00:00).assume_utc()).await;
        round_trip(datetime!(2024-02-29 23:59:58.5)).await;
        round_trip(date!(1000 - 01 - 01)).await;
        round_trip(time!(07:08:09.010)).await;
    }
    #[cfg(feature = "decimal")]
    {
        use std::str::FromStr;
        let price = crate::types::Numeric::<10, 2>::from_str("-12345678.90").expect("numeric");
        round_trip(price).await;
    }
}

/// What is stored, byte for byte (the formats sqlx-sqlite writes).
#[tokio::test]
async fn stored_representation() {
    async fn stored<T: ColumnValue<Lite>>(value: T) -> (String, String) {
        let mut c = conn();
        let row =
            statement::fetch_one::<Lite>(&mut c, "SELECT typeof(?1), quote(?1)", args(vec![value]))
                .await
                .expect("select");
        (
            Lite::get(&row, 0).expect("type"),
            Lite::get(&row, 1).expect("quote"),
        )
    }
    let pair = |t: &str, q: &str| (t.to_owned(), q.to_owned());
    assert_eq!(stored(true).await, pair("integer", "1"));
    assert_eq!(stored(7i16).await, pair("integer", "7"));
    assert_eq!(stored(0.5f32).await, pair("real", "0.5"));
    assert_eq!(stored(Mood::Calm).await, pair("text", "'calm'"));
    let id = uuid::Uuid::from_u128(0x0011_2233_4455_6677_8899_aabb_ccdd_eeff);
    assert_eq!(
        stored(id).await,
        pair("blob", "X'00112233445566778899AABBCCDDEEFF'")
    );
    assert_eq!(stored(None::<i64>).await, pair("null", "NULL"));
    #[cfg(feature = "json")]
    assert_eq!(
        stored(serde_json::json!({"k": [1]})).await,
        pair("text", r#"'{"k":[1]}'"#)
    );
    #[cfg(feature = "chrono")]
    {
        use chrono::{NaiveDate, TimeZone, Utc};
        let at = NaiveDate::from_ymd_opt(2024, 5, 6)
            .and_then(|d| d.and_hms_micro_opt(7, 8, 9, 120_000))
            .expect("date");
        assert_eq!(
            stored(Utc.from_utc_datetime(&at)).await,
            pair("text", "'2024-05-06T07:08:09.120+00:00'")
        );
        assert_eq!(stored(at).await, pair("text", "'2024-05-06 07:08:09.120'"));
        assert_eq!(stored(at.date()).await, pair("text", "'2024-05-06'"));
    }
    #[cfg(feature = "decimal")]
    {
        use std::str::FromStr;
        let price = crate::types::Numeric::<6, 2>::from_str("12.5").expect("numeric");
        assert_eq!(stored(price).await, pair("integer", "1250"));
        let wide = crate::types::Numeric::<20, 2>::from_str("1").expect("numeric");
        let mut refused = LiteArgs::default();
        assert!(crate::driver::bind::<Lite, _>(&mut refused, &wide).is_err());
    }
}

/// Dates in the other formats sqlx-sqlite reads: SQLite's own text,
/// Unix seconds.
#[cfg(feature = "chrono")]
#[tokio::test]
async fn dates_read_from_sqlite_formats() {
    use chrono::{DateTime, NaiveDateTime, Utc};
    let mut c = conn();
    let row = statement::fetch_one::<Lite>(
        &mut c,
        "SELECT '2024-05-06 07:08:09', 1700000000, '2024-05-06T07:08:09.5+02:00', julianday('2024-05-06 12:00:00')",
        LiteArgs::default(),
    )
    .await
    .expect("select");
    let naive: NaiveDateTime = Lite::get(&row, 0).expect("sqlite text");
    assert_eq!(naive.to_string(), "2024-05-06 07:08:09");
    let unix: DateTime<Utc> = Lite::get(&row, 1).expect("unix seconds");
    assert_eq!(unix.timestamp(), 1_700_000_000);
    let zoned: DateTime<Utc> = Lite::get(&row, 2).expect("offset text");
    assert_eq!(zoned.to_rfc3339(), "2024-05-06T05:08:09.500+00:00");
    let julian: DateTime<Utc> = Lite::get(&row, 3).expect("julian day");
    assert_eq!(julian.to_rfc3339(), "2024-05-06T12:00:00+00:00");
}

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

#[tokio::test]
async fn statements_report_and_bind() {
    let mut c = conn();
    run(&mut c, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)").await;
    let done = statement::execute::<Lite>(
        &mut c,
        "INSERT INTO t (name) VALUES (?), (?)",
        args(vec!["a".to_owned(), "b".to_owned()]),
    )
    .await
    .expect("insert");
    assert_eq!((done.rows_affected, done.last_insert_id), (2, Some(2)));
    // A read affects nothing, although SQLite still counts the insert.
    let read = statement::execute::<Lite>(&mut c, "SELECT * FROM t", LiteArgs::default())
        .await
        .expect("select");
    assert_eq!(read.rows_affected, 0);
    // `?NNN` and `$NNN` take the NNN-th value, as in sqlx-sqlite.
    let row = statement::fetch_one::<Lite>(&mut c, "SELECT ?2, $1, ?2 || ?1", args(vec![1i64, 2]))
        .await
        .expect("numbered");
    assert_eq!(
        row.values(),
        &[
            Value::Integer(2),
            Value::Integer(1),
            Value::Text("21".into())
        ]
    );
    // Rows arrive in order through the stream; an error is its one item.
    let names: Vec<String> = statement::fetch::<Lite>(
        &mut c,
        "SELECT name FROM t ORDER BY id",
        LiteArgs::default(),
    )
    .map(|row| Lite::get::<String>(&row.expect("row"), 0).expect("name"))
    .collect()
    .await;
    assert_eq!(names, ["a", "b"]);
    let failed: Vec<_> =
        statement::fetch::<Lite>(&mut c, "SELECT nope FROM t", LiteArgs::default())
            .collect()
            .await;
    assert!(
        matches!(failed.as_slice(), [Err(DriverError::Database(_))]),
        "{failed:?}"
    );
    // A future never polled sends nothing.
    drop(statement::execute::<Lite>(
        &mut c,
        "DELETE FROM t",
        LiteArgs::default(),
    ));
    assert_eq!(count(&mut c, "SELECT COUNT(*) FROM t").await, 2);
    // REGEXP, for case-insensitive filters, folds Unicode case.
    let row = statement::fetch_one::<Lite>(
        &mut c,
        "SELECT 'ÉCOLE' REGEXP '(?i)école', NULL REGEXP 'x'",
        LiteArgs::default(),
    )
    .await
    .expect("regexp");
    assert_eq!(row.values(), &[Value::Integer(1), Value::Null]);
}

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
