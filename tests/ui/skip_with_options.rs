use entable::Entity;

#[derive(Entity)]
struct User {
    #[entity(primary_key)]
    id: i64,
    #[entity(skip, unique)]
    cache: String,
}

fn main() {}
