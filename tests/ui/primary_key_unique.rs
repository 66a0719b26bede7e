use entable::Entity;

#[derive(Entity)]
struct Item {
    #[entity(primary_key, unique)]
    id: i64,
}

#[derive(Entity)]
struct Pair {
    #[entity(primary_key)]
    #[entity(primary_key)]
    left: i64,
    // One half of a composite key may be unique on its own (a 1:1 link).
    #[entity(primary_key, unique)]
    right: i64,
}

fn main() {}
