use entable::Entity;

#[derive(Entity)]
enum Status {
    Active,
    Disabled,
}

fn main() {}
