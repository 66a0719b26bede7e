use entable::Entity;

#[derive(Entity)]
struct Note {
    #[entity(primary_key, uuid_v4)]
    id: i64,
}

fn main() {}
