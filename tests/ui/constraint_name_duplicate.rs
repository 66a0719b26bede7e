use entable::Entity;

#[derive(Entity)]
#[entity(table = "item", primary_key_name = "item_key", unique(a, b, name = "Item-AB"))]
struct Item {
    #[entity(primary_key)]
    id: i64,
    // Same as the primary key's name.
    #[entity(unique(name = "item_key"))]
    a: i64,
    // Same as the composite's, ignoring case (MySQL would refuse it).
    #[entity(index(name = "item-ab"))]
    b: i64,
    // Same as the default name of `c`'s index.
    #[entity(index(name = "ix_item_c"))]
    d: i64,
    #[entity(index)]
    c: i64,
}

fn main() {}
