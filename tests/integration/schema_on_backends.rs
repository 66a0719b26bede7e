//! The generated DDL, created on real servers and read back.

use entable::backend::Dialect;
use entable::schema::Schema;

use crate::entities;
use crate::support::{introspect, on_every_backend};

#[tokio::test]
async fn created_schema_matches_the_metadata() {
    on_every_backend("created_schema_matches_the_metadata", |t| async move {
        let schema = Schema::of(entities::tables()).expect("valid schema");
        schema.create_all(&t.db).await.expect("DDL runs");
        let mut expected_names: Vec<String> = schema
            .tables()
            .iter()
            .map(|table| match (t.dialect, table.schema) {
                (Dialect::Postgres, Some(s)) => format!("{s}.{}", table.name),
                _ => table.name.to_owned(),
            })
            .collect();
        expected_names.sort();
        assert_eq!(introspect::table_names(&t.db).await, expected_names);
        for table in schema.tables() {
            let actual = introspect::table(&t.db, table).await;
            let expected = introspect::expected(t.dialect, table);
            assert_eq!(actual, expected, "{}: table `{}` differs from its metadata", t.dialect, table.name);
        }
        t
    })
    .await;
}
