use entable::Entity;

struct Money(u64);

#[derive(Entity)]
#[entity(dto = false)]
struct Account {
    #[entity(primary_key)]
    id: i64,
    balance: Money,
    visits: u64,
}

fn main() {}
