use entable::Entity;

#[derive(Entity)]
struct Counter {
    #[entity(primary_key)]
    id: i64,
    // Committed, then unreadable on PostgreSQL: refused.
    #[entity(sql_type = "INTEGER")]
    hits: i64,
    #[entity(sql_type = "bigint")]
    small: Option<i32>,
    #[entity(sql_type(postgres = "DOUBLE PRECISION", mysql = "FLOAT", sqlite = "REAL"))]
    ratio: f64,
    // Fine: the same width, a custom type, a newtype.
    #[entity(sql_type = "INTEGER")]
    ok: i32,
    #[entity(sql_type = "NUMERIC(12,2)")]
    amount: f64,
}

fn main() {}
