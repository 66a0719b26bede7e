//! Values a column cannot hold exactly are refused before any SQL, the
//! same on every backend; values it can hold round-trip exactly.
//! See `docs/reliability.md`, "Types and values".

use entable::Error;
use entable::backend::Dialect;
use entable::dto::Patch;
use entable::prelude::*;

use crate::support::on_every_backend;

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Moment {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub at: DateTime<Utc>,
    pub naive: NaiveDateTime,
    pub day: NaiveDate,
    pub maybe: Option<DateTime<Utc>>,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Reading {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub x: f64,
    pub y: Option<f32>,
    pub label: String,
}

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Spaced {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique, max_length = 20)]
    pub name: String,
    pub body: String,
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32, micro: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|day| day.and_hms_micro_opt(h, min, s, micro))
        .expect("a valid date-time")
}

fn moment(when: NaiveDateTime) -> MomentCreate {
    MomentCreate {
        at: when.and_utc(),
        naive: when,
        day: when.date(),
        maybe: Some(when.and_utc()),
    }
}

fn assert_invalid<T: std::fmt::Debug>(result: Result<T, Error>, column: &str, what: &str) {
    match result {
        Err(Error::InvalidValue {
            column: Some(c), ..
        }) if c == column => {}
        other => panic!("{what}: expected InvalidValue for {column}, got {other:?}"),
    }
}

#[tokio::test]
async fn dates_round_trip_in_range_and_are_refused_outside() {
    on_every_backend(
        "dates_round_trip_in_range_and_are_refused_outside",
        |t| async move {
            let db = &t.db;
            Schema::of(vec![Moment::table()])
                .expect("schema")
                .create_all(db)
                .await
                .expect("created");
            for when in [
                at(1900, 1, 1, 0, 0, 0, 0),
                at(1969, 12, 31, 23, 59, 59, 500_000),
                at(2038, 1, 19, 3, 14, 8, 0),
                at(2100, 12, 31, 23, 59, 59, 999_999),
                at(1, 1, 1, 0, 0, 0, 0),
                at(9999, 12, 31, 23, 59, 59, 999_999),
            ] {
                let created = Moment::create(db, moment(when))
                    .await
                    .unwrap_or_else(|e| panic!("{when}: {e}"));
                let read = Moment::get(db, created.id)
                    .await
                    .expect("read back")
                    .expect("the row");
                assert_eq!(read, created, "{when} round-trips");
                assert_eq!(read.at.naive_utc(), when);
                assert_eq!(read.maybe.map(|m| m.naive_utc()), Some(when));
                assert_eq!(read.day, when.date());
                let found = Moment::query()
                    .filter(Moment::AT.eq(when.and_utc()))
                    .all(db)
                    .await
                    .expect("filter");
                assert_eq!(found.len(), 1, "{when} found by value");
            }
            let written = Moment::count(db, Moment::ID.gt(0)).await.expect("count");

            let far = at(10000, 1, 1, 0, 0, 0, 0);
            let early = at(-5000, 1, 1, 0, 0, 0, 0);
            for (when, refused) in [(far, t.dialect != Dialect::Postgres), (early, true)] {
                let mut only_day = moment(at(2000, 1, 1, 0, 0, 0, 0));
                only_day.day = when.date();
                let mut only_maybe = moment(at(2000, 1, 1, 0, 0, 0, 0));
                only_maybe.maybe = Some(when.and_utc());
                for (input, column) in [
                    (moment(when), "at"),
                    (only_day, "day"),
                    (only_maybe, "maybe"),
                ] {
                    let result = Moment::create(db, input).await;
                    if refused {
                        assert_invalid(result, column, &format!("{when}"));
                    } else {
                        let created = result.expect("PostgreSQL holds year 10000");
                        assert_eq!(
                            Moment::get(db, created.id)
                                .await
                                .expect("read")
                                .expect("the row"),
                            created
                        );
                        Moment::delete(db, created.id).await.expect("delete");
                    }
                }
                let patch = MomentUpdate {
                    naive: Patch::Set(when),
                    ..Default::default()
                };
                if refused {
                    assert_invalid(Moment::update(db, 1, patch).await, "naive", "update");
                }
            }
            assert_eq!(
                Moment::count(db, Moment::ID.gt(0)).await.expect("count"),
                written,
                "nothing written"
            );
            t
        },
    )
    .await;
}

#[tokio::test]
async fn nan_infinity_and_nul_are_refused() {
    on_every_backend("nan_infinity_and_nul_are_refused", |t| async move {
        let db = &t.db;
        Schema::of(vec![Reading::table()])
            .expect("schema")
            .create_all(db)
            .await
            .expect("created");
        let reading = |x: f64, y: Option<f32>, label: &str| ReadingCreate {
            x,
            y,
            label: label.into(),
        };
        let kept = Reading::create(db, reading(1.5, Some(-0.25), "ok"))
            .await
            .expect("finite");
        assert_eq!(
            Reading::get(db, kept.id)
                .await
                .expect("read")
                .expect("the row"),
            kept
        );

        assert_invalid(
            Reading::create(db, reading(f64::NAN, None, "a")).await,
            "x",
            "NaN",
        );
        assert_invalid(
            Reading::create(db, reading(f64::INFINITY, None, "a")).await,
            "x",
            "inf",
        );
        assert_invalid(
            Reading::create(db, reading(1.0, Some(f32::NAN), "a")).await,
            "y",
            "NaN",
        );
        assert_invalid(
            Reading::create(db, reading(1.0, Some(f32::NEG_INFINITY), "a")).await,
            "y",
            "-inf",
        );
        assert_invalid(
            Reading::create(db, reading(1.0, None, "a\0b")).await,
            "label",
            "NUL",
        );
        let bulk = vec![reading(2.0, None, "fine"), reading(f64::NAN, None, "bad")];
        assert_invalid(Reading::bulk_insert(db, bulk).await, "x", "bulk NaN");
        let patch = ReadingUpdate {
            x: Patch::Set(f64::NAN),
            ..Default::default()
        };
        assert_invalid(Reading::update(db, kept.id, patch).await, "x", "update NaN");
        let patch = ReadingUpdate {
            label: Patch::Set("\0".into()),
            ..Default::default()
        };
        assert_invalid(
            Reading::update(db, kept.id, patch).await,
            "label",
            "update NUL",
        );

        assert_eq!(
            Reading::count(db, Reading::ID.gt(0)).await.expect("count"),
            1,
            "nothing written"
        );
        assert_eq!(
            Reading::get(db, kept.id)
                .await
                .expect("read")
                .expect("the row"),
            kept,
            "unchanged"
        );
        t
    })
    .await;
}

#[tokio::test]
async fn bulk_update_errors_name_bulk_update() {
    on_every_backend("bulk_update_errors_name_bulk_update", |t| async move {
        let db = &t.db;
        Schema::of(vec![Reading::table()])
            .expect("schema")
            .create_all(db)
            .await
            .expect("created");
        let kept = Reading::create(
            db,
            ReadingCreate {
                x: 1.0,
                y: None,
                label: "a".into(),
            },
        )
        .await
        .expect("create");
        let nan = ReadingUpdate {
            x: Patch::Set(f64::NAN),
            ..Default::default()
        };
        match Reading::bulk_update(db, vec![(kept.id, nan)]).await {
            Err(Error::InvalidValue { context, .. }) => {
                assert_eq!(context.operation, "bulk_update")
            }
            other => panic!("expected InvalidValue, got {other:?}"),
        }
        let fine = ReadingUpdate {
            x: Patch::Set(2.0),
            ..Default::default()
        };
        match Reading::bulk_update(db, vec![(kept.id + 100, fine)]).await {
            Err(e @ Error::NotFound { .. }) => {
                assert!(e.to_string().starts_with("Reading::bulk_update: "), "{e}")
            }
            other => panic!("expected NotFound, got {other:?}"),
        }
        t
    })
    .await;
}

#[tokio::test]
async fn trailing_spaces_are_significant() {
    on_every_backend("trailing_spaces_are_significant", |t| async move {
        let db = &t.db;
        Schema::of(vec![Spaced::table()])
            .expect("schema")
            .create_all(db)
            .await
            .expect("created");
        let spaced = |name: &str| SpacedCreate {
            name: name.into(),
            body: name.into(),
        };
        Spaced::create(db, spaced("x")).await.expect("x");
        Spaced::create(db, spaced("x "))
            .await
            .expect("`x ` is another value than `x` in a unique index");
        for e in [
            Spaced::NAME.eq("x"),
            Spaced::NAME.in_(["x"]),
            Spaced::BODY.eq("x"),
            Spaced::BODY.in_(["x"]),
        ] {
            let rows = Spaced::query().filter(e).all(db).await.expect("query");
            let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
            assert_eq!(names, ["x"]);
        }
        assert!(
            Spaced::create(db, spaced("x ")).await.is_err(),
            "the unique index still holds"
        );
        t
    })
    .await;
}

#[tokio::test]
async fn long_text_round_trips() {
    on_every_backend("long_text_round_trips", |t| async move {
        let db = &t.db;
        Schema::of(vec![Spaced::table()])
            .expect("schema")
            .create_all(db)
            .await
            .expect("created");
        let megabyte = "abcdefghij".repeat(100_000);
        let accents = "é".repeat(40_960); // 80 KiB of UTF-8
        for (name, body) in [("mb", megabyte), ("accents", accents)] {
            let created = Spaced::create(
                db,
                SpacedCreate {
                    name: name.into(),
                    body: body.clone(),
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            let read = Spaced::get(db, created.id)
                .await
                .expect("read")
                .expect("the row");
            assert!(
                read.body == body,
                "{name} round-trips ({} bytes read)",
                read.body.len()
            );
        }
        t
    })
    .await;
}
