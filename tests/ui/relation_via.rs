use entable::prelude::*;

#[derive(Entity, Clone)]
struct Team {
    #[entity(primary_key, auto_increment)]
    id: i64,
    // `name` is a field of Player, but not a foreign key.
    #[entity(has_many(via = name))]
    by_name: Vec<Player>,
    // No such field in Player.
    #[entity(has_many(via = tema_id))]
    typo: Vec<Player>,
    // A foreign key, but to another entity.
    #[entity(has_one(via = league_id))]
    wrong_target: Option<Player>,
}

#[derive(Entity, Clone)]
struct League {
    #[entity(primary_key, auto_increment)]
    id: i64,
}

#[derive(Entity, Clone)]
struct Player {
    #[entity(primary_key, auto_increment)]
    id: i64,
    name: String,
    #[entity(references = Team)]
    team_id: i64,
    #[entity(references = League)]
    league_id: i64,
}

fn main() {}
