use entable::prelude::*;

#[derive(Entity)]
#[entity(table = "writers", renamed_from = "authors list")]
struct Writer {
    #[entity(primary_key)]
    id: i64,
    #[entity(renamed_from = "name")]
    name: String,
    #[entity(renamed_from = "old", renamed_from = "older")]
    bio: String,
    #[entity(skip, renamed_from = "gone")]
    cache: String,
}

#[derive(Entity)]
#[entity(table = "posts", renamed_from = "POSTS")]
struct Post {
    #[entity(primary_key)]
    id: i64,
    #[entity(renamed_from = 3)]
    title: String,
}

fn main() {}
