use entable::prelude::*;

#[derive(Entity, Debug)]
struct Item {
    #[entity(primary_key, auto_increment)]
    id: i64,
    name: String,
    price: i32,
    note: Option<String>,
}

fn main() {
    let _ = Item::NAME.eq(42);
    let _ = Item::PRICE.eq("cheap");
    let _ = Item::NAME.lt("m");
    let _ = Item::PRICE.contains("1");
    let _ = Item::PRICE.is_null();
    let _ = Item::NOTE.is_null().and(Item::NAME.eq("x"));
}
