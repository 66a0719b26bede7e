use entable::Entity;

#[derive(Entity)]
struct User {
    #[entity(primary_key)]
    id: i64,
    #[validate(emial)]
    email: String,
    #[validate(length)]
    name: String,
    #[validate(range(min = 1), contains)]
    age: i32,
    #[validate(length(min = "one"), custom)]
    nick: String,
    #[validate(email(colour = "red"))]
    other: String,
}

fn main() {}
