use entable::Db;

#[entable::test]
fn not_async(db: Db) {
    let _ = db;
}

#[entable::test]
async fn no_parameter() {}

#[entable::test]
async fn two_parameters(db: Db, other: Db) {
    let _ = (db, other);
}

#[entable::test]
async fn generic<T>(db: Db) {
    let _ = db;
}

#[entable::test(schemas = my_schema)]
async fn unknown_option(db: Db) {
    let _ = db;
}

#[entable::test(schema)]
async fn option_without_value(db: Db) {
    let _ = db;
}

#[entable::test(crate = entable)]
async fn crate_not_a_string(db: Db) {
    let _ = db;
}

fn main() {}
