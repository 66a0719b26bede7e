use entable::{DbEnum, Entity};

#[derive(DbEnum, Debug, Clone)]
enum Status {
    Active,
    Closed,
}

#[derive(Entity)]
struct Counter {
    #[entity(primary_key)]
    id: i64,
    #[entity(default = 100000)]
    small: i16,
}

#[derive(Entity)]
struct Ticket {
    #[entity(primary_key)]
    id: i64,
    #[entity(default = "open")]
    status: Status,
}

fn main() {}
