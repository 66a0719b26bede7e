//! The rusqlite driver on its own: values, errors, statements,
//! transactions. (`tests_compat.rs` checks it against sqlx-sqlite.)

use std::fmt::Debug;

use futures_util::StreamExt as _;
use rusqlite::types::Value;

use super::{Lite, LiteArgs, LiteConn, LiteValue};
use crate::driver::{Backend, ColumnValue, DriverError, bind_owned, statement};

#[derive(crate::DbEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[db_enum(crate = "crate")]
pub(super) enum Mood {
    Calm,
    #[db_enum(rename = "cross")]
    Angry,
}

#[cfg(feature = "json")]
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) struct Point {
    pub(super) x: i32,
    pub(super) label: String,
}

pub(super) fn conn() -> LiteConn {
    match LiteConn::open_in_memory() {
        Ok(conn) => conn,
        Err(error) => panic!("open: {error}"),
    }
}

pub(super) fn args<T: ColumnValue<Lite>>(values: Vec<T>) -> LiteArgs {
    let mut args = LiteArgs::default();
    for value in values {
        bind_owned::<Lite, T>(&mut args, value).expect("bind");
    }
    args
}

pub(super) async fn run(conn: &mut LiteConn, sql: &'static str) {
    statement::execute_script::<Lite>(conn, sql)
        .await
        .expect(sql);
}

pub(super) async fn count(conn: &mut LiteConn, sql: &'static str) -> i64 {
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
