use entable::Entity;

#[derive(Entity)]
struct User {
    #[entity(primary_key)]
    id: Option<i64>,
    nickname: Option<Option<String>>,
}

fn main() {}
