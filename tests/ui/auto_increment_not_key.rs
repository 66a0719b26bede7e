use entable::Entity;

#[derive(Entity)]
struct Note {
    #[entity(primary_key)]
    id: i64,
    #[entity(auto_increment)]
    counter: i64,
}

fn main() {}
