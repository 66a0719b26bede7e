use entable::Entity;

#[derive(Entity)]
struct Membership {
    #[entity(primary_key)]
    user_id: i64,
    #[entity(primary_key)]
    group_id: i64,
}

#[derive(Entity)]
struct Grant {
    #[entity(primary_key)]
    id: i64,
    #[entity(references = Membership)]
    membership: i64,
}

fn main() {}
