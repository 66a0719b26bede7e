use entable::Entity;

#[derive(Entity)]
#[entity(table = "item")]
struct Item {
    #[entity(primary_key)]
    id: i64,
    // No foreign key to name.
    #[entity(fk_name = "item_a_fkey")]
    a: i64,
    // A field's index takes only a name.
    #[entity(index(b, name = "ix"))]
    b: i64,
    #[entity(unique(name = 3))]
    c: i64,
    #[entity(comment = 5)]
    d: i64,
}

#[derive(Entity)]
#[entity(index(a, name = 7))]
struct Other {
    #[entity(primary_key)]
    id: i64,
    a: i64,
}

fn main() {}
