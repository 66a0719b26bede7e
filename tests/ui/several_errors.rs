// Several mistakes in one struct: every one is reported in one build.
use entable::Entity;

#[derive(Entity)]
#[entity(tabel = "items")]
struct Item {
    #[entity(primary_key)]
    id: Option<i64>,
    #[entity(column = "bad name")]
    name: String,
    #[entity(on_delete = "cascade")]
    owner: i64,
}

fn main() {}
