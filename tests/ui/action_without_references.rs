use entable::Entity;

#[derive(Entity)]
struct User {
    #[entity(primary_key)]
    id: i64,
    #[entity(on_delete = "cascade")]
    team_id: i64,
    #[entity(references = User, on_update = "explode")]
    parent_id: Option<i64>,
}

fn main() {}
