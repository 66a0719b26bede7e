use entable::Entity;

#[derive(Entity)]
struct Item {
    #[entity(default, primary_key)]
    id: i64,
    #[entity(references, max_length)]
    name: String,
}

fn main() {}
