//! The rusqlite driver against sqlx-sqlite on one database file: each
//! value written by one driver reads back through the other, both store
//! the same bytes, and both report the same constraint errors.

use std::fmt::Debug;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Decode, Encode, Sqlite, SqlitePool, Type};

use super::{Lite, LiteArgs, LiteConn};
use crate::driver::{Backend, ColumnValue, DriverError, bind_owned, statement};

use super::tests::Mood;
#[cfg(feature = "json")]
use super::tests::Point;

/// A database file shared by a one-connection sqlx pool and a `LiteConn`,
/// removed when dropped.
pub(super) struct Shared {
    path: std::path::PathBuf,
    pub(super) pool: SqlitePool,
    pub(super) lite: LiteConn,
}

impl Shared {
    pub(super) async fn new() -> Shared {
        let path = std::env::temp_dir().join(format!("entable-lite-{}.db", uuid::Uuid::new_v4()));
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .expect("sqlx pool");
        let lite = LiteConn::open(&path).expect("lite");
        Shared { path, pool, lite }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Writes `value` through sqlx (row 1) and through Lite (row 2); checks
/// both rows hold the same bytes, Lite reads sqlx's row and sqlx Lite's.
async fn both_ways<T>(db: &mut Shared, value: T)
where
    T: ColumnValue<Lite>
        + for<'q> Encode<'q, Sqlite>
        + for<'r> Decode<'r, Sqlite>
        + Type<Sqlite>
        + Unpin
        + Clone
        + PartialEq
        + Debug,
{
    let pool = db.pool.clone();
    sqlx::raw_sql("DROP TABLE IF EXISTS t; CREATE TABLE t (id INTEGER PRIMARY KEY, v)")
        .execute(&pool)
        .await
        .expect("create");
    sqlx::query("INSERT INTO t (id, v) VALUES (1, ?)")
        .bind(value.clone())
        .execute(&pool)
        .await
        .expect("sqlx insert");
    let mut args = LiteArgs::default();
    bind_owned::<Lite, T>(&mut args, value.clone()).expect("bind");
    statement::execute::<Lite>(&mut db.lite, "INSERT INTO t (id, v) VALUES (2, ?)", args)
        .await
        .expect("lite insert");

    let stored: Vec<(String, String)> =
        sqlx::query_as("SELECT typeof(v), quote(v) FROM t ORDER BY id")
            .fetch_all(&pool)
            .await
            .expect("stored");
    assert_eq!(
        stored[0], stored[1],
        "{value:?}: sqlx stored {:?}, Lite {:?}",
        stored[0], stored[1]
    );

    let row = statement::fetch_one::<Lite>(
        &mut db.lite,
        "SELECT v FROM t WHERE id = 1",
        LiteArgs::default(),
    )
    .await
    .expect("lite select");
    assert_eq!(Lite::get::<T>(&row, 0).expect("Lite reads sqlx's"), value);
    let read: T = sqlx::query_scalar("SELECT v FROM t WHERE id = 2")
        .fetch_one(&pool)
        .await
        .expect("sqlx reads Lite's");
    assert_eq!(read, value);
}

#[tokio::test]
async fn values_cross_drivers() {
    let mut db = Shared::new().await;
    both_ways(&mut db, true).await;
    both_ways(&mut db, false).await;
    both_ways(&mut db, i16::MIN).await;
    both_ways(&mut db, -7i32).await;
    both_ways(&mut db, i64::MAX).await;
    both_ways(&mut db, 0.1f32).await;
    both_ways(&mut db, 1.0e-300f64).await;
    both_ways(&mut db, String::from("quote ' and \u{1F600}")).await;
    both_ways(&mut db, vec![1u8, 0, 254]).await;
    both_ways(&mut db, uuid::Uuid::new_v4()).await;
    both_ways(&mut db, Mood::Angry).await;
    both_ways(&mut db, Some(Mood::Calm)).await;
    both_ways(&mut db, None::<String>).await;
    #[cfg(feature = "json")]
    {
        both_ways(&mut db, serde_json::json!({"b": [1, 2.5, null], "a": "é"})).await;
        both_ways(
            &mut db,
            crate::types::Json(Point {
                x: 4,
                label: "q".into(),
            }),
        )
        .await;
    }
    #[cfg(feature = "chrono")]
    {
        use chrono::{NaiveDate, TimeZone, Utc};
        for nanos in [0, 120_000_000, 123_456_789] {
            let at = NaiveDate::from_ymd_opt(2024, 2, 29)
                .and_then(|d| d.and_hms_nano_opt(23, 59, 58, nanos))
                .expect("date");
            both_ways(&mut db, Utc.from_utc_datetime(&at)).await;
            both_ways(&mut db, at).await;
            both_ways(&mut db, at.date()).await;
            both_ways(&mut db, at.time()).await;
        }
    }
    #[cfg(feature = "time")]
    {
        use time::macros::{date, datetime, offset, time};
        both_ways(
            &mut db,
            datetime!(2024-02-29 23:59:58.123456789).assume_offset(offset!(-05:00)),
        )
        .await;
        both_ways(&mut db, datetime!(2024-02-29 23:59:58).assume_utc()).await;
        both_ways(&mut db, datetime!(2024-02-29 23:59:58.5)).await;
        both_ways(&mut db, date!(2024 - 02 - 29)).await;
        both_ways(&mut db, time!(23:59:58.000001)).await;
        both_ways(&mut db, time!(00:00)).await;
    }
    #[cfg(feature = "decimal")]
    {
        use std::str::FromStr;
        both_ways(
            &mut db,
            crate::types::Numeric::<18, 4>::from_str("-12345678901234.5678").expect("numeric"),
        )
        .await;
    }
}

/// Kind, code and message of the error a statement causes through `run`.
fn parts(error: &DriverError) -> (sqlx::error::ErrorKind, Option<String>, String) {
    let db = error.as_database_error().expect("a database error");
    (
        db.kind(),
        db.code().map(|c| c.into_owned()),
        db.message().to_owned(),
    )
}

#[tokio::test]
async fn errors_match_sqlx() {
    let mut db = Shared::new().await;
    let pool = db.pool.clone();
    sqlx::raw_sql(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY, email TEXT NOT NULL, n INTEGER CONSTRAINT ck_n CHECK (n > 0));
         CREATE UNIQUE INDEX ux_parent_email ON parent (email);
         CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE RESTRICT);
         INSERT INTO parent VALUES (1, 'a@x', 1);
         INSERT INTO child VALUES (1, 1);",
    )
    .execute(&pool)
    .await
    .expect("schema");
    for sql in [
        "INSERT INTO parent VALUES (2, 'a@x', 1)",
        "INSERT INTO parent VALUES (1, 'b@x', 1)",
        "INSERT INTO parent VALUES (3, NULL, 1)",
        "INSERT INTO parent VALUES (4, 'c@x', -1)",
        "INSERT INTO child VALUES (2, 42)",
        "DELETE FROM parent WHERE id = 1",
        "INSERT INTO missing VALUES (1)",
        "SELECT nope FROM parent",
    ] {
        let by_sqlx = sqlx::query(sql).execute(&pool).await.expect_err(sql);
        let by_lite = statement::execute::<Lite>(&mut db.lite, sql, LiteArgs::default())
            .await
            .expect_err(sql);
        assert_eq!(parts(&by_lite), parts(&by_sqlx), "{sql}");
    }
}

/// A transaction opened through Lite holds SQLite's write lock as one
/// opened through sqlx would: the other driver waits, then sees the
/// committed row.
#[tokio::test]
async fn transactions_are_visible_across_drivers() {
    let mut db = Shared::new().await;
    let pool = db.pool.clone();
    sqlx::raw_sql("CREATE TABLE t (name TEXT)")
        .execute(&pool)
        .await
        .expect("create");
    Lite::begin(&mut db.lite, Some("BEGIN IMMEDIATE".into()))
        .await
        .expect("begin");
    let mut args = LiteArgs::default();
    bind_owned::<Lite, String>(&mut args, "lite".into()).expect("bind");
    statement::execute::<Lite>(&mut db.lite, "INSERT INTO t VALUES (?)", args)
        .await
        .expect("insert");
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(before, 0);
    Lite::commit(&mut db.lite).await.expect("commit");
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM t")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(after, 1);
}
