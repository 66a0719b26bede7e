use entable::prelude::*;

#[derive(Entity)]
struct NotBool {
    #[entity(primary_key, auto_increment)]
    id: i64,
    #[entity(deleted_flag)]
    gone: i32,
}

#[derive(Entity)]
struct Nullable {
    #[entity(primary_key, auto_increment)]
    id: i64,
    #[entity(live_flag)]
    active: Option<bool>,
}

#[derive(Entity)]
struct TimestampAndFlag {
    #[entity(primary_key, auto_increment)]
    id: i64,
    #[entity(deleted_at)]
    deleted_at: Option<DateTime<Utc>>,
    #[entity(deleted_flag)]
    is_deleted: bool,
}

#[derive(Entity)]
struct TwoFlags {
    #[entity(primary_key, auto_increment)]
    id: i64,
    #[entity(deleted_flag)]
    is_deleted: bool,
    #[entity(live_flag)]
    active: bool,
}

#[derive(Entity)]
struct ManagedFlag {
    #[entity(primary_key, auto_increment)]
    id: i64,
    #[entity(deleted_flag, default = true, sql_type = "SMALLINT")]
    is_deleted: bool,
}

fn main() {}
