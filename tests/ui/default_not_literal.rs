use entable::Entity;

#[derive(Entity)]
struct Counter {
    #[entity(primary_key)]
    id: i64,
    #[entity(default = 1 + 1)]
    other: i32,
}

fn main() {}
