//! `created_at` / `updated_at`: written by entable from one clock on
//! create, update and upsert, on every backend.

use std::time::Duration;

use entable::dto::Patch;
use entable::prelude::*;

use crate::support::on_every_backend;

#[derive(Entity, Debug, Clone)]
pub struct Note {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique, max_length = 40)]
    pub slug: String,
    pub body: String,
    #[entity(created_at)]
    pub created_at: DateTime<Utc>,
    #[entity(updated_at)]
    pub updated_at: NaiveDateTime,
}

fn note(slug: &str, body: &str) -> NoteCreate {
    NoteCreate {
        slug: slug.into(),
        body: body.into(),
    }
}

#[tokio::test]
async fn timestamps_follow_every_write() {
    on_every_backend("timestamps_follow_every_write", |t| async move {
        let db = &t.db;
        Schema::of(vec![Note::table()])
            .expect("schema")
            .create_all(db)
            .await
            .expect("created");
        let before = Utc::now() - chrono::Duration::seconds(1);
        let created = Note::create(db, note("a", "first")).await.expect("create");
        assert!(created.created_at >= before, "{}", created.created_at);
        assert_eq!(
            created.created_at.naive_utc(),
            created.updated_at,
            "one clock reading for both"
        );

        tokio::time::sleep(Duration::from_millis(20)).await;
        let patch = NoteUpdate {
            body: Patch::Set("second".into()),
            ..Default::default()
        };
        let updated = Note::update(db, created.id, patch).await.expect("update");
        assert_eq!(updated.created_at, created.created_at, "kept");
        assert!(updated.updated_at > created.updated_at, "raised");

        tokio::time::sleep(Duration::from_millis(20)).await;
        let overwritten = Note::upsert(db, note("a", "third"), Note::SLUG)
            .await
            .expect("upsert");
        assert_eq!(overwritten.body, "third");
        assert_eq!(
            overwritten.created_at, created.created_at,
            "an overwrite is no creation"
        );
        assert!(overwritten.updated_at > updated.updated_at);
        t
    })
    .await;
}

/// The same with the `time` crate's types, soft delete included.
#[derive(Entity, Debug, Clone)]
pub struct Memo {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub body: String,
    pub day: Option<entable::time::Date>,
    pub clock: entable::time::Time,
    #[entity(created_at)]
    pub created_at: entable::time::OffsetDateTime,
    #[entity(updated_at)]
    pub updated_at: entable::time::PrimitiveDateTime,
    #[entity(deleted_at)]
    pub deleted_at: Option<entable::time::OffsetDateTime>,
}

#[tokio::test]
async fn timestamps_of_the_time_crate() {
    on_every_backend("timestamps_of_the_time_crate", |t| async move {
        use entable::time::{Duration as TimeDuration, OffsetDateTime};
        let db = &t.db;
        Schema::of(vec![Memo::table()])
            .expect("schema")
            .create_all(db)
            .await
            .expect("created");
        let before = OffsetDateTime::now_utc() - TimeDuration::seconds(1);
        let day = entable::time::Date::from_calendar_date(2026, entable::time::Month::November, 23)
            .expect("date");
        let clock = entable::time::Time::from_hms(9, 30, 5).expect("time");
        let input = MemoCreate {
            body: "a".into(),
            day: Some(day),
            clock,
        };
        let created = Memo::create(db, input).await.expect("create");
        assert_eq!(
            (created.day, created.clock),
            (Some(day), clock),
            "time's dates and times round-trip"
        );
        assert!(created.created_at >= before, "{}", created.created_at);
        assert!(created.created_at <= OffsetDateTime::now_utc());
        assert_eq!(
            created.created_at.date(),
            created.updated_at.date(),
            "one clock reading, in UTC"
        );
        assert_eq!(created.created_at.time(), created.updated_at.time());

        tokio::time::sleep(Duration::from_millis(20)).await;
        let patch = MemoUpdate {
            body: Patch::Set("b".into()),
            ..Default::default()
        };
        let updated = Memo::update(db, created.id, patch).await.expect("update");
        assert_eq!(updated.created_at, created.created_at, "kept");
        assert!(updated.updated_at > created.updated_at, "raised");

        assert!(Memo::delete(db, created.id).await.expect("soft delete"));
        let gone = Memo::with_deleted()
            .get(db, created.id)
            .await
            .expect("get")
            .expect("there");
        let deleted_at = gone.deleted_at.expect("set");
        assert!(deleted_at >= updated.created_at);
        assert!(gone.updated_at >= updated.updated_at);
        t
    })
    .await;
}
