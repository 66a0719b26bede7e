use entable::Entity;

#[derive(Entity)]
struct Item {
    #[entity(primary_key)]
    id: i64,
    #[entity(max_length = 10)]
    count: i32,
}

fn main() {}
