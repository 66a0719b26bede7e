use entable::Entity;

// Empty, too long (64 bytes), a quote, a dot, SQLite's reserved prefix.
#[derive(Entity)]
#[entity(
    primary_key_name = "",
    index(a, b, name = "ix_this_name_is_far_too_long_for_postgresql_which_stops_at_63_by")
)]
struct Item {
    #[entity(primary_key)]
    id: i64,
    #[entity(unique(name = "it's"))]
    a: i64,
    #[entity(index(name = "schema.index"))]
    b: i64,
    #[entity(unique_live(name = "sqlite_autoindex"))]
    c: i64,
    #[entity(deleted_at)]
    deleted_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn main() {}
