use entable::Entity;

// Empty conditions, a check without its condition, one dialect missing,
// `sql` beside per-dialect conditions, an unknown key, a duplicate field
// check, and a check on a field that is not a column.
#[derive(Entity)]
#[entity(
    check(name = "ck_item_empty", sql = "  "),
    check(name = "ck_item_no_sql"),
    check(postgres = "a > 0", mysql = "a > 0"),
    check(sql = "a > 0", sqlite = "a > 0"),
    check(sql = "a > 0", when = "always")
)]
struct Item {
    #[entity(primary_key)]
    id: i64,
    #[entity(check = "")]
    a: i64,
    #[entity(check = "b > 0", check = "b < 10")]
    b: i64,
    #[entity(skip, check = "c > 0")]
    c: i64,
}

fn main() {}
