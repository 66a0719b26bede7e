use entable::Entity;

#[derive(Entity)]
#[entity(table = "sqlite_users")]
struct User {
    #[entity(primary_key)]
    id: i64,
}

fn main() {}
