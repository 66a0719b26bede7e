use entable::Entity;

#[derive(Entity)]
struct Node {
    #[entity(primary_key)]
    id: i64,
    #[entity(references = Node, references = Node, on_delete = "cascade", on_delete = "restrict")]
    parent: i64,
    #[entity(skip, column = "cached")]
    cache: String,
    #[entity(sql_type(postgres = 1, mysql = "TEXT", sqlite = "TEXT"))]
    label: String,
}

fn main() {}
