use entable::prelude::*;

#[derive(Entity)]
struct NotAudited {
    #[entity(primary_key, auto_increment)]
    id: i64,
    #[entity(audit(mask))]
    secret: String,
}

#[derive(Entity)]
#[entity(audit)]
struct Audited {
    #[entity(primary_key, auto_increment)]
    id: i64,
    #[entity(audit)]
    a: String,
    #[entity(audit(hide))]
    b: String,
    #[entity(audit(skip, mask))]
    c: String,
}

#[derive(Entity)]
#[entity(audit, hooks, dto = false)]
struct NoRepo {
    #[entity(primary_key)]
    id: i64,
}


#[derive(Entity)]
#[entity(audit)]
struct KeyHidden {
    #[entity(primary_key, audit(mask))]
    id: i64,
    #[entity(deleted_at, audit(skip))]
    gone: Option<DateTime<Utc>>,
}

fn main() {}
