use entable::prelude::*;

#[derive(Entity)]
struct Doc {
    #[entity(primary_key, auto_increment)]
    id: i64,
    #[entity(version)]
    text_version: String,
    #[entity(version)]
    maybe: Option<i64>,
    #[entity(version, read_only)]
    fixed: i64,
}

fn main() {}
