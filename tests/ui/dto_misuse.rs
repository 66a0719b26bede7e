use entable::Entity;

#[derive(Entity)]
#[entity(create_type = "UserInput", update_type = "UserInput", search_type = "not a type")]
struct User {
    #[entity(primary_key, update = true)]
    id: i64,
    #[entity(create = false)]
    email: String,
    #[entity(read_only)]
    name: String,
    page: i32,
    #[validate(must_match(other = "passwrd"))]
    password: String,
    #[entity(searchable = 1)]
    age: i32,
}

#[derive(Entity)]
#[entity(dto = false, max_page_size = 10)]
struct Plain {
    #[entity(primary_key)]
    id: i64,
}

fn main() {}
