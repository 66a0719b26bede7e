use entable::Entity;

#[derive(Entity)]
struct Wrapper<T> {
    #[entity(primary_key)]
    id: i64,
    value: T,
}

fn main() {}
