use entable::Entity;

#[derive(Entity)]
struct Item {
    #[entity(primary_key)]
    id: i64,
    #[entity(sql_type = "TEXT; DROP TABLE item")]
    name: String,
    #[entity(sql_type(postgres = "CITEXT", mysql = "TEXT"))]
    label: String,
    #[entity(default_sql = "now() -- comment")]
    at: String,
}

fn main() {}
