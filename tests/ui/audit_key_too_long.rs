use entable::prelude::*;

// The audit log keeps keys in a 512-character column.
#[derive(Entity)]
#[entity(audit)]
struct Document {
    #[entity(primary_key, max_length = 600)]
    path: String,
    body: String,
}

#[derive(Entity)]
#[entity(audit)]
struct Fits {
    #[entity(primary_key, max_length = 512)]
    path: String,
}

fn main() {}
