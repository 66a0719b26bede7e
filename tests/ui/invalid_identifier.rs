use entable::Entity;

#[derive(Entity)]
#[entity(table = "user accounts")]
struct User {
    #[entity(primary_key)]
    id: i64,
    #[entity(column = "1st_name")]
    first_name: String,
}

fn main() {}
