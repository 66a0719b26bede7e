use entable::Entity;
use entable::uuid::Uuid;

#[derive(Entity)]
struct Team {
    #[entity(primary_key, auto_increment)]
    id: i64,
}

#[derive(Entity)]
struct User {
    #[entity(primary_key)]
    id: Uuid,
    #[entity(references = Team)]
    team_id: Option<Uuid>,
}

fn main() {}
