use entable::{DbEnum, Entity};

#[derive(DbEnum, Debug, Clone, Copy, PartialEq)]
enum State {
    Open,
    Closed,
}

// An enum column has its own check, `ck_item_state`: a field check on it
// needs another name.
#[derive(Entity)]
#[entity(table = "item")]
struct Item {
    #[entity(primary_key)]
    id: i64,
    #[entity(check = "state <> 'closed'")]
    state: State,
}

fn main() {}
