use entable::prelude::*;

#[derive(Entity)]
struct Team {
    #[entity(primary_key, auto_increment)]
    id: i64,
    #[entity(has_many)]
    players: Vec<Player>,
}

// Not `Clone`: it cannot be handed to two parents.
#[derive(Entity)]
struct Player {
    #[entity(primary_key, auto_increment)]
    id: i64,
    #[entity(references = Team)]
    team_id: i64,
}

fn main() {}
