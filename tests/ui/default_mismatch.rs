use entable::Entity;

#[derive(Entity)]
struct Counter {
    #[entity(primary_key)]
    id: i64,
    #[entity(default = "zero")]
    value: i32,
    #[entity(default = 1.5)]
    whole: i64,
}

fn main() {}
