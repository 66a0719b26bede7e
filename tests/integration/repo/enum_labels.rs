//! `DbEnum` labels that are not identifiers (hyphens, spaces, leading
//! digits, a quote) round-trip and filter on every backend.

use entable::prelude::*;

use crate::support::on_every_backend;

#[derive(DbEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    #[db_enum(rename = "in-progress")]
    InProgress,
    #[db_enum(rename = "3-day")]
    ThreeDay,
    #[db_enum(rename = "on hold")]
    OnHold,
    #[db_enum(rename = "it's done")]
    Done,
}

#[derive(Entity, Debug, Clone)]
pub struct Task {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(default = "in-progress")]
    pub stage: Stage,
}

#[tokio::test]
async fn enum_labels_with_hyphens_spaces_digits_round_trip() {
    on_every_backend(
        "enum_labels_with_hyphens_spaces_digits_round_trip",
        |t| async move {
            let db = &t.db;
            Schema::of([Task::table()])
                .expect("schema")
                .create_all(db)
                .await
                .expect("created");
            let defaulted = Task::create(
                db,
                TaskCreate {
                    stage: entable::dto::Patch::Absent,
                },
            )
            .await
            .expect("default");
            assert_eq!(defaulted.stage, Stage::InProgress);
            for stage in [Stage::ThreeDay, Stage::OnHold, Stage::Done] {
                let row = Task::create(
                    db,
                    TaskCreate {
                        stage: stage.into(),
                    },
                )
                .await
                .expect("stored");
                let back = Task::get(db, row.id).await.expect("read").expect("found");
                assert_eq!(back.stage, stage);
                assert_eq!(
                    Task::count(db, Task::STAGE.eq(stage)).await.expect("count"),
                    1,
                    "{stage:?}"
                );
            }
            let search = TaskSearch::from_query_str("stage.in=3-day,on%20hold,it%27s%20done")
                .expect("query");
            assert_eq!(Task::search(db, &search).await.expect("search").total, 3);
            t
        },
    )
    .await;
}
