use entable::Entity;

// Check names follow the rules of every constraint name, and share their
// namespace: a quote, too long, the primary key's name, another check's
// name ignoring case, and the default name of a field's check.
#[derive(Entity)]
#[entity(
    table = "item",
    check(name = "it's", sql = "a > 0"),
    check(name = "ck_this_name_is_far_too_long_for_postgresql_which_stops_at_63_by", sql = "a > 0"),
    check(name = "pk_item", sql = "a > 0"),
    check(name = "Ck-Item", sql = "a > 0"),
    check(name = "ck_item_b", sql = "b > 0")
)]
struct Item {
    #[entity(primary_key)]
    id: i64,
    #[entity(check(name = "ck-item", sql = "a > 0"))]
    a: i64,
    #[entity(check = "b > 0")]
    b: i64,
}

fn main() {}
