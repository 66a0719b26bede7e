use entable::Entity;

#[derive(Entity)]
struct User {
    #[entity(primary_key)]
    id: i64,
    #[entity(references = "Team")]
    team_id: i64,
}

fn main() {}
