use entable::Entity;

#[derive(Entity)]
struct Item {
    #[entity(primary_key, unique)]
    id: i64,
    #[entity(primary_key)]
    #[entity(primary_key)]
    other: i64,
}

fn main() {}
