//! The test schema: every supported type, a composite key, a
//! self-reference, a dependency cycle, cascades, a PostgreSQL schema, a
//! module boundary and reserved words (`group`, `user`, `order`, `select`)
//! as table and column names.

use entable::prelude::*;
use entable::schema::TableMeta;
use serde::{Deserialize, Serialize};

#[derive(DbEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Member,
    #[db_enum(rename = "ro")]
    ReadOnly,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub theme: String,
    pub page_size: u32,
}

#[derive(Entity, Debug)]
#[entity(table = "group")]
pub struct Group {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique, max_length = 80)]
    pub name: String,
    #[entity(column = "order", default = 0)]
    pub position: i32,
}

#[derive(Entity, Debug)]
#[entity(table = "user")]
pub struct User {
    #[entity(primary_key, uuid_v4)]
    pub id: Uuid,
    #[entity(unique, max_length = 255)]
    pub email: String,
    pub display_name: Option<String>,
    #[entity(references = Group, on_delete = "set null", on_update = "cascade", index)]
    pub group_id: Option<i64>,
    #[entity(default = "member")]
    pub role: Role,
    #[entity(default = true)]
    pub active: bool,
    #[entity(default_sql = "CURRENT_TIMESTAMP")]
    pub created_at: DateTime<Utc>,
    #[entity(skip)]
    pub cached_score: Option<f64>,
}

/// One column of every mapped type, nullable and not, with literal defaults.
#[derive(Entity, Debug)]
#[entity(table = "all_types", index(small, big))]
pub struct AllTypes {
    #[entity(primary_key, auto_increment)]
    pub id: i32,
    #[entity(default = false)]
    pub flag: bool,
    #[entity(default = -1)]
    pub small: i16,
    pub int: i32,
    pub big: i64,
    #[entity(default = 1.5)]
    pub real: f32,
    pub double: f64,
    #[entity(default = "it's a \\ test")]
    pub text: String,
    #[entity(max_length = 12)]
    pub short_text: Option<String>,
    pub bytes: Vec<u8>,
    pub maybe_bytes: Option<Vec<u8>>,
    pub uuid: Uuid,
    pub at: DateTime<Utc>,
    pub local_at: Option<NaiveDateTime>,
    pub day: NaiveDate,
    pub time_of_day: Option<NaiveTime>,
    pub doc: serde_json::Value,
    pub settings: Option<Json<Settings>>,
    pub role: Option<Role>,
    #[entity(sql_type(
        postgres = "NUMERIC(12,2)",
        mysql = "DECIMAL(12,2)",
        sqlite = "NUMERIC(12,2)"
    ))]
    pub amount: String,
}

/// A tree: the parent is the same table; deleting a node deletes its
/// subtree.
#[derive(Entity, Debug)]
pub struct Category {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub name: String,
    #[entity(references = Self, on_delete = "cascade", index)]
    pub parent_id: Option<i64>,
}

/// Composite primary key; both halves cascade.
#[derive(Entity, Debug)]
#[entity(
    table = "membership",
    unique(group_id, role),
    index(joined_on, group_id)
)]
pub struct Membership {
    #[entity(primary_key, references = User, on_delete = "cascade")]
    pub user_id: Uuid,
    #[entity(primary_key, references = Group, on_delete = "cascade")]
    pub group_id: i64,
    pub joined_on: NaiveDate,
    pub role: Role,
}

pub mod shop {
    use entable::prelude::*;

    /// `order` is reserved everywhere; users with orders cannot be deleted.
    #[derive(Entity, Debug)]
    #[entity(table = "order")]
    pub struct Order {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        #[entity(references = crate::entities::User, on_delete = "restrict")]
        pub user_id: Uuid,
        #[entity(column = "select", max_length = 20, unique)]
        pub code: String,
    }

    #[derive(Entity, Debug)]
    #[entity(table = "order_line")]
    pub struct OrderLine {
        #[entity(primary_key, references = Order, on_delete = "cascade")]
        pub order_id: i64,
        #[entity(primary_key)]
        pub line_no: i32,
        pub quantity: i32,
    }
}

/// Department and Employee refer to each other: a cycle, closed by an
/// `ALTER TABLE … ADD CONSTRAINT` on PostgreSQL and MySQL.
#[derive(Entity, Debug)]
pub struct Department {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub name: String,
    #[entity(references = Employee, on_delete = "set null")]
    pub manager_id: Option<i64>,
}

#[derive(Entity, Debug)]
pub struct Employee {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(references = Department, on_delete = "cascade")]
    pub department_id: i64,
    #[entity(
        column = "a_column_name_long_enough_to_push_the_index_name_past_the_limit",
        index
    )]
    pub long: Option<String>,
}

/// In schema `archive` on PostgreSQL; schemas are ignored elsewhere.
#[derive(Entity, Debug)]
#[entity(table = "event", schema = "archive")]
pub struct ArchivedEvent {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(references = User, on_delete = "no action")]
    pub user_id: Option<Uuid>,
    pub payload: serde_json::Value,
}

/// A text key with a length: columns referring to it take its type.
#[derive(Entity, Debug)]
pub struct Country {
    #[entity(primary_key, max_length = 2)]
    pub code: String,
    pub name: String,
}

#[derive(Entity, Debug)]
pub struct Address {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(references = Country, on_delete = "restrict")]
    pub country: String,
    #[entity(references = Country)]
    pub billing_country: Option<String>,
}

/// Every table of the test schema.
pub fn tables() -> Vec<&'static TableMeta> {
    vec![
        Group::table(),
        User::table(),
        AllTypes::table(),
        Category::table(),
        Membership::table(),
        shop::Order::table(),
        shop::OrderLine::table(),
        Department::table(),
        Employee::table(),
        ArchivedEvent::table(),
        Country::table(),
        Address::table(),
    ]
}
