use entable::Entity;
use entable::uuid::Uuid;

#[derive(Entity)]
struct Team {
    #[entity(primary_key)]
    id: Uuid,
}

#[derive(Entity)]
struct User {
    #[entity(primary_key, auto_increment, uuid_v4)]
    id: i64,
    #[entity(references = Team, on_delete = "set null")]
    team_id: Uuid,
    #[entity(unique, index)]
    email: String,
    #[entity(max_length = 10, sql_type = "CHAR(10)")]
    code: String,
}

fn main() {}
