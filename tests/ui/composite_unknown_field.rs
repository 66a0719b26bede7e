use entable::Entity;

#[derive(Entity)]
#[entity(unique(emial, tenant), index(), index(tenant, tenant))]
struct User {
    #[entity(primary_key)]
    id: i64,
    email: String,
    tenant: i64,
}

fn main() {}
