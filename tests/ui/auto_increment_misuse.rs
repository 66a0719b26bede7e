use entable::Entity;

#[derive(Entity)]
struct Tag {
    #[entity(primary_key, auto_increment)]
    slug: String,
}

fn main() {}
