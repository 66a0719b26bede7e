//! The README's quick start: two entities, their DDL, and the tables
//! created on an in-memory SQLite database.
//!
//! Run it with `cargo run --example quickstart`.

// The fields are only described here, not read: no warnings for that.
#![allow(dead_code)]

use entable::prelude::*;

#[derive(Entity, Debug)]
#[entity(table = "teams")]
pub struct Team {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique, max_length = 100)]
    pub name: String,
}

#[derive(Entity, Debug)]
#[entity(table = "users")]
pub struct User {
    #[entity(primary_key, uuid_v4)]
    pub id: Uuid,
    #[entity(unique, max_length = 255)]
    pub email: String,
    pub name: String,
    #[entity(references = Team, on_delete = "set null", index)]
    pub team_id: Option<i64>,
    #[entity(default_sql = "CURRENT_TIMESTAMP")]
    pub created_at: DateTime<Utc>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> entable::Result<()> {
    let schema = Schema::from_registry()?;
    for dialect in Dialect::ALL {
        println!("-- {dialect}\n{}", schema.to_sql(dialect));
    }

    let db = Db::connect("sqlite::memory:").await?;
    schema.create_all(&db).await?;
    let pool = db.as_sqlite().expect("connected to SQLite above");
    let tables: Vec<(String,)> =
        entable::sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .fetch_all(pool)
            .await?;
    println!(
        "created on SQLite: {:?}",
        tables.into_iter().map(|t| t.0).collect::<Vec<_>>()
    );
    Ok(())
}
