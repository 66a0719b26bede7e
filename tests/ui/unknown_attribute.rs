use entable::Entity;

#[derive(Entity)]
struct User {
    #[entity(primary_kye)]
    id: i64,
    #[entity(colour = "red")]
    name: String,
}

fn main() {}
