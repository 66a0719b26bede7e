use entable::Entity;

#[derive(Entity)]
struct User {
    #[entity(primary_key)]
    id: i64,
    #[validate(email)]
    age: i32,
}

fn main() {}
