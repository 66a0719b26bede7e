use entable::prelude::*;

#[derive(Entity)]
struct Team {
    #[entity(primary_key, auto_increment)]
    id: i64,
    #[entity(has_many = Player)]
    wrong_form: Vec<Player>,
    #[entity(has_many(through = x))]
    wrong_key: Vec<Player>,
    #[entity(has_many)]
    not_a_vec: Option<Vec<Player>>,
    #[entity(many_to_many)]
    no_join: Vec<Player>,
    #[entity(has_one, has_many)]
    two: Vec<Player>,
}

#[derive(Entity)]
struct Player {
    #[entity(primary_key, auto_increment)]
    id: i64,
    team_id: i64,
    #[entity(belongs_to = team_id)]
    team: Option<Team>,
    #[entity(belongs_to = tema_id)]
    typo: Option<Team>,
    #[entity(belongs_to)]
    bare: Option<Team>,
}

#[derive(Entity)]
#[entity(dto = false)]
struct NoRepo {
    #[entity(primary_key, auto_increment)]
    id: i64,
    #[entity(has_many)]
    players: Vec<Player>,
}

#[derive(Entity)]
struct Pair {
    #[entity(primary_key)]
    a: i64,
    #[entity(primary_key)]
    b: i64,
    #[entity(has_many)]
    players: Vec<Player>,
}

fn main() {}
