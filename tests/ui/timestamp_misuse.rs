use entable::prelude::*;

#[derive(Entity)]
struct Doc {
    #[entity(primary_key, auto_increment)]
    id: i64,
    #[entity(created_at)]
    made: String,
    #[entity(updated_at)]
    changed: Option<DateTime<Utc>>,
    #[entity(created_at, default_sql = "CURRENT_TIMESTAMP")]
    again: DateTime<Utc>,
}

fn main() {}
