//! The typed query DSL: column handles generated per entity
//! (`User::EMAIL.eq("a@b.c")`), expressions combined with `and`/`or`/`not`,
//! and [`Query`] for ordering, paging, selecting columns and eager loading.
//!
//! ```
//! # use entable::prelude::*;
//! #[derive(Entity, Debug)]
//! struct Person {
//!     #[entity(primary_key, auto_increment)]
//!     id: i64,
//!     name: String,
//!     age: Option<i32>,
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> entable::Result<()> {
//! let db = Db::connect("sqlite::memory:").await?;
//! Schema::of([Person::table()])?.create_all(&db).await?;
//! for (name, age) in [("Ada", Some(36)), ("Alan", Some(41)), ("Grace", None)] {
//!     Person::create(&db, PersonCreate { name: name.into(), age }).await?;
//! }
//! let adults = Person::query()
//!     .filter(Person::AGE.gte(18).and(Person::NAME.starts_with("A")))
//!     .order_by(Person::AGE.desc())
//!     .all(&db)
//!     .await?;
//! assert_eq!(adults.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Alan", "Ada"]);
//!
//! let unknown_age = Person::count(&db, Person::AGE.is_null()).await?;
//! assert_eq!(unknown_age, 1);
//!
//! let names: Vec<(i64, String)> = Person::query()
//!     .order_by(Person::NAME.asc())
//!     .select((Person::ID, Person::NAME))
//!     .all(&db)
//!     .await?;
//! assert_eq!(names[2].1, "Grace");
//! # Ok(())
//! # }
//! ```
//!
//! A value of the wrong type for a column does not compile:
//!
//! ```compile_fail
//! # use entable::prelude::*;
//! # #[derive(Entity, Debug)]
//! # struct Person {
//! #     #[entity(primary_key, auto_increment)]
//! #     id: i64,
//! #     name: String,
//! # }
//! let _ = Person::NAME.eq(42);
//! ```

pub(crate) mod builder;
mod column;
pub(crate) mod expr;
mod stream;

#[doc(hidden)]
pub use builder::LiteDecode;
pub use builder::{Query, Select, Selection};
pub use column::{Column, Opaque, Order};
pub use expr::{DynCondition, Expr};
pub use stream::RowStream;

/// Declares trait `$name`: `$bound` on backend `$backend` when `$feature`
/// is enabled, nothing otherwise; so a bound can say "on every enabled
/// backend" and still be usable as `$bound` inside backend-specific code.
macro_rules! when_enabled {
    ($name:ident, $feature:literal, $($bound:tt)+) => {
        #[doc = concat!("`", stringify!($($bound)+), "` when the `", $feature, "` feature is enabled.")]
        #[cfg(feature = $feature)]
        pub trait $name: $($bound)+ {}
        #[cfg(feature = $feature)]
        impl<T: $($bound)+> $name for T {}
        #[doc = concat!("`", stringify!($($bound)+), "` when the `", $feature, "` feature is enabled.")]
        #[cfg(not(feature = $feature))]
        pub trait $name {}
        #[cfg(not(feature = $feature))]
        impl<T> $name for T {}
    };
}

/// Per-backend bounds, empty for backends this build lacks.
pub mod on_backend {
    #[cfg(feature = "mysql")]
    use crate::driver::MySql;
    #[cfg(feature = "postgres")]
    use crate::driver::Pg;
    #[cfg(feature = "sqlx-sqlite")]
    use crate::driver::Sqlite;
    #[allow(unused_imports)]
    use crate::driver::{ColumnValue, Row};

    when_enabled!(ValueOnPostgres, "postgres", ColumnValue<Pg>);
    when_enabled!(ValueOnMySql, "mysql", ColumnValue<MySql>);
    when_enabled!(ValueOnSqlite, "sqlx-sqlite", ColumnValue<Sqlite>);
    #[cfg(feature = "rusqlite")]
    use crate::driver::Lite;
    when_enabled!(ValueOnLite, "rusqlite", ColumnValue<Lite>);
    when_enabled!(
        RowOnPostgres,
        "postgres",
        for<'r> sqlx::FromRow<'r, Row<Pg>>
    );
    when_enabled!(RowOnMySql, "mysql", for<'r> sqlx::FromRow<'r, Row<MySql>>);
    when_enabled!(
        RowOnSqlite,
        "sqlx-sqlite",
        for<'r> sqlx::FromRow<'r, Row<Sqlite>>
    );
}

/// A Rust value that binds to and decodes from a column on every backend
/// this build enables.
pub trait SqlValue:
    on_backend::ValueOnPostgres
    + on_backend::ValueOnMySql
    + on_backend::ValueOnSqlite
    + on_backend::ValueOnLite
    + Clone
    + std::fmt::Debug
    + Send
    + Sync
    + 'static
{
}
impl<T> SqlValue for T where
    T: on_backend::ValueOnPostgres
        + on_backend::ValueOnMySql
        + on_backend::ValueOnSqlite
        + on_backend::ValueOnLite
        + Clone
        + std::fmt::Debug
        + Send
        + Sync
        + 'static
{
}

/// A struct decodable from rows of every enabled backend (derive
/// `sqlx::FromRow`): the target of [`Query::select_as`].
pub trait FromRows:
    on_backend::RowOnPostgres
    + on_backend::RowOnMySql
    + on_backend::RowOnSqlite
    + Send
    + Unpin
    + 'static
{
}
impl<T> FromRows for T where
    T: on_backend::RowOnPostgres
        + on_backend::RowOnMySql
        + on_backend::RowOnSqlite
        + Send
        + Unpin
        + 'static
{
}
