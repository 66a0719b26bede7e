use entable::Entity;

#[derive(Entity)]
#[entity(table = 5)]
struct User {
    #[entity(primary_key)]
    id: i64,
    #[entity(max_length = "255")]
    name: String,
    #[entity(primary_key = true)]
    other: i64,
}

fn main() {}
