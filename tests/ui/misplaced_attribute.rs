use entable::Entity;

#[derive(Entity)]
#[entity(primary_key)]
struct Item {
    #[entity(primary_key, table = "items")]
    id: i64,
}

fn main() {}
