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
    #[entity(version)]
    float_version: f64,
    #[entity(version)]
    unsigned: u32,
}

fn main() {}
