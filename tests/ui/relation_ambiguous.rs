use entable::prelude::*;

#[derive(Entity, Clone)]
struct Person {
    #[entity(primary_key, auto_increment)]
    id: i64,
    #[entity(has_many)]
    letters: Vec<Letter>,
}

#[derive(Entity, Clone)]
struct Letter {
    #[entity(primary_key, auto_increment)]
    id: i64,
    #[entity(references = Person)]
    sender_id: i64,
    #[entity(references = Person)]
    recipient_id: i64,
}

fn main() {}
