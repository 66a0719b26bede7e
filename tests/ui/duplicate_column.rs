use entable::Entity;

#[derive(Entity)]
struct User {
    #[entity(primary_key)]
    id: i64,
    name: String,
    #[entity(column = "NAME")]
    display_name: String,
}

fn main() {}
