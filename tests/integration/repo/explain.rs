//! Index advice from real plans: a full scan of a seeded table filtered on
//! an unindexed column is a suggestion naming the field; with the
//! suggested index created, the plan uses it and the suggestion is gone.

use entable::RawSql;
use entable::backend::Dialect;
use entable::prelude::*;

use crate::support::{TestDb, on_every_backend};

#[derive(Entity, Debug, Clone)]
pub struct Parcel {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(max_length = 20)]
    pub code: String,
    #[entity(max_length = 20)]
    pub depot: String,
    pub weight: i32,
}

#[tokio::test]
async fn a_suggested_index_is_right_and_then_used() {
    on_every_backend(
        "a_suggested_index_is_right_and_then_used",
        |t: TestDb| async move {
            let db = &t.db;
            Schema::of([Parcel::table()])
                .expect("schema")
                .create_all(db)
                .await
                .expect("created");
            let rows = (0..3000).map(|i| ParcelCreate {
                code: format!("P-{i:05}"),
                depot: format!("D-{}", i % 7),
                weight: i % 50,
            });
            Parcel::bulk_insert(db, rows).await.expect("seeded");
            let analyze = match t.dialect {
                Dialect::Postgres => "ANALYZE parcel",
                Dialect::MySql => "ANALYZE TABLE parcel",
                Dialect::Sqlite => "ANALYZE",
            };
            RawSql::new(analyze).execute(db).await.expect("analyzed");

            let by_code = || Parcel::query().filter(Parcel::CODE.eq("P-01234".to_owned()));
            let plan = by_code().explain(db).await.expect("explained");
            assert!(
                plan.scans.iter().any(|s| s.full && s.table == "parcel"),
                "{}: {plan:?}",
                t.dialect
            );
            assert_eq!(plan.table_rows, Some(3000));
            let advice = plan.advice();
            assert_eq!(advice.len(), 1, "{}: {advice:?}", t.dialect);
            let suggestion = &advice[0];
            assert_eq!(suggestion.entity, "Parcel");
            assert_eq!(suggestion.columns, ["code"]);
            assert_eq!(suggestion.attribute, "#[entity(index)] on field `code`");
            assert!(
                suggestion.ddl.starts_with("CREATE INDEX"),
                "{}",
                suggestion.ddl
            );
            // A small table is not worth an index.
            assert!(plan.advice_above(10_000).is_empty());
            // Two columns, and a sort: one index over both, on the struct.
            let plan = Parcel::query()
                .filter(Parcel::DEPOT.eq("D-3".to_owned()))
                .order_by(Parcel::WEIGHT.desc())
                .explain(db)
                .await
                .expect("explained");
            let advice = plan.advice();
            assert_eq!(advice.len(), 1, "{}: {plan:?}", t.dialect);
            assert_eq!(advice[0].columns, ["depot", "weight"]);
            assert_eq!(
                advice[0].attribute,
                "#[entity(index(depot, weight))] on struct `Parcel`"
            );

            // The suggested index, created as the migration would: the plan
            // uses it, and nothing is suggested any more.
            RawSql::new(suggestion.ddl.clone())
                .execute(db)
                .await
                .expect("index created");
            RawSql::new(analyze).execute(db).await.expect("analyzed");
            let plan = by_code().explain(db).await.expect("explained again");
            let scan = plan
                .scans
                .iter()
                .find(|s| s.table == "parcel")
                .expect("the table's scan");
            assert!(!scan.full, "{}: {plan:?}", t.dialect);
            assert_eq!(
                scan.index.as_deref(),
                Some("ix_parcel_code"),
                "{}: {plan:?}",
                t.dialect
            );
            assert!(
                plan.advice().is_empty(),
                "{}: {:?}",
                t.dialect,
                plan.advice()
            );
            t
        },
    )
    .await;
}
