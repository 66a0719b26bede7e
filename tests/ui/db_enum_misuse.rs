use entable::DbEnum;

#[derive(DbEnum)]
#[db_enum(rename_all = "camelCase")]
enum Status {
    Active,
    Paused(u32),
    #[db_enum(rename = "active")]
    Enabled,
}

#[derive(DbEnum)]
struct NotAnEnum;

fn main() {}
