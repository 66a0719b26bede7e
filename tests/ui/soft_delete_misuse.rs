use entable::prelude::*;

#[derive(Entity)]
struct Doc {
    #[entity(primary_key, auto_increment)]
    id: i64,
    #[entity(deleted_at)]
    gone: DateTime<Utc>,
    #[entity(deleted_at, default_sql = "CURRENT_TIMESTAMP")]
    again: Option<DateTime<Utc>>,
    #[entity(unique, unique_live)]
    slug: String,
}

#[derive(Entity)]
#[entity(unique_live(code))]
struct Plain {
    #[entity(primary_key, auto_increment)]
    id: i64,
    #[entity(unique_live)]
    code: String,
    entable_live: bool,
}

fn main() {}
