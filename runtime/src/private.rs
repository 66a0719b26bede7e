//! Not public API: what generated code reaches through `::entable::__private`.

pub use crate::backend::types::FieldType;
pub use crate::backend::values::in_column;
pub use crate::backend::{CustomSqlType, SqlType};
pub use crate::driver::{Args, Backend, ColumnValue, Row, bind};
pub use crate::dto::Condition;
pub use crate::dto::{Filter, Filterable, PageRequest, Patch, SortKey, SortList, kind};
pub use crate::entity::{Entity, SingleKey};
pub use crate::query::{Column, Expr, Opaque};
pub use crate::relation::{
    BelongsTo, ForeignKey, HasMany, HasOne, ManyToMany, NotAForeignKey, References,
};
pub use crate::repo::{BindError, ColumnSet, Model, Persist, SqlCache, ValueSink};

/// One Search condition as an expression on `E`.
pub fn condition_expr<E: Entity, T: crate::query::SqlValue>(
    column: &'static str,
    condition: &Condition<T>,
) -> Expr<E> {
    Expr::from_node(crate::query::expr::Node::condition(
        E::table(),
        column,
        condition.clone(),
    ))
}
pub use crate::audit::{AuditField, AuditValue, key_text};
pub use crate::repo::Hooks;
pub use serde_json;

/// `assert_audit_value::<T>()` compiles when the audit log can show a `T`.
pub const fn assert_audit_value<T: AuditValue + ?Sized>() {}

pub use crate::schema::{
    CheckMeta, ColumnMeta, DefaultValue, FkAction, ForeignKeyMeta, Generated, IndexMeta,
    Registration, SoftDelete, SoftDeleteKind, SqlPerDialect, TableMeta,
};
pub use crate::types::{DbEnum, UnknownVariant, deserialize_db_enum};
pub use crate::validate::rules as validate;
pub use inventory;
pub use serde;
pub use sqlx;
pub use std::option::Option::{None, Some};
pub use uuid;
pub use validator;

pub use crate::meta::names::{MAX_IDENT, ident_bytes, ident_len, ident_str, ident_string};

/// The clock `created_at`, `updated_at` and `deleted_at` read: the
/// application's, the same on every backend.
pub fn utc_now() -> std::time::SystemTime {
    std::time::SystemTime::now()
}

/// A timestamp field's value from a clock reading, in UTC.
pub trait Timestamp {
    /// `now` in this type.
    fn from_clock(now: std::time::SystemTime) -> Self;
}

#[cfg(feature = "chrono")]
impl Timestamp for chrono::DateTime<chrono::Utc> {
    fn from_clock(now: std::time::SystemTime) -> Self {
        now.into()
    }
}

#[cfg(feature = "chrono")]
impl Timestamp for chrono::NaiveDateTime {
    fn from_clock(now: std::time::SystemTime) -> Self {
        chrono::DateTime::<chrono::Utc>::from(now).naive_utc()
    }
}

#[cfg(feature = "time")]
impl Timestamp for time::OffsetDateTime {
    fn from_clock(now: std::time::SystemTime) -> Self {
        now.into()
    }
}

#[cfg(feature = "time")]
impl Timestamp for time::PrimitiveDateTime {
    fn from_clock(now: std::time::SystemTime) -> Self {
        let utc = time::OffsetDateTime::from(now);
        time::PrimitiveDateTime::new(utc.date(), utc.time())
    }
}

/// Entities reached through a relation are handed out as copies when one
/// row belongs to several parents, so they must be `Clone`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is loaded through a relation, so it must implement `Clone`",
    label = "`{Self}` is not `Clone`",
    note = "add #[derive(Clone)] to `{Self}`: a row reached from two parents (many-to-many, or one row loaded twice) goes to each as a copy"
)]
pub trait RelationTarget: Clone {}
impl<T: Clone> RelationTarget for T {}

/// Compiles when `T` can be the target of a relation.
pub const fn assert_relation_target<T: RelationTarget>() {}

/// `assert_foreign_key::<Field, Key>()` compiles when a foreign key field
/// whose value type is `Field` can hold the referenced key `Key`.
pub const fn assert_foreign_key<F: ForeignKeyOf<K>, K>() {}

/// A field type that can hold a key of type `K` (the derive strips the
/// field's `Option` first).
#[diagnostic::on_unimplemented(
    message = "foreign key type `{Self}` does not match the referenced primary key type `{K}`",
    label = "expected `{K}` (or `Option<{K}>`)",
    note = "a `references` field must have the same type as the referenced entity's primary key"
)]
pub trait ForeignKeyOf<K> {}
impl<K> ForeignKeyOf<K> for K {}

/// `assert_auto_increment::<T>()` compiles for integer key types.
pub const fn assert_auto_increment<T: AutoIncrementKey>() {}

/// A type the database can generate increasing values of.
#[diagnostic::on_unimplemented(
    message = "`auto_increment` needs an integer key, not `{Self}`",
    label = "use `i32` or `i64`",
    note = "for a UUID key write #[entity(primary_key, uuid_v4)]"
)]
pub trait AutoIncrementKey {}
impl AutoIncrementKey for i32 {}
impl AutoIncrementKey for i64 {}

/// The key a database reported for an auto-increment insert, as `T`.
/// Typed through `Any` rather than a trait bound, so that a wrong key type
/// is reported once, by [`assert_auto_increment`], not again here.
pub fn key_from_insert_id<T: 'static>(id: u64) -> Option<T> {
    let any: Box<dyn std::any::Any> =
        if std::any::TypeId::of::<T>() == std::any::TypeId::of::<i64>() {
            Box::new(i64::try_from(id).ok()?)
        } else if std::any::TypeId::of::<T>() == std::any::TypeId::of::<i32>() {
            Box::new(i32::try_from(id).ok()?)
        } else {
            return None;
        };
    any.downcast::<T>().ok().map(|value| *value)
}

/// A new random UUID as `T` (`None` unless `T` is `Uuid`, which the
/// `uuid_v4` check has already demanded).
pub fn new_uuid_v4<T: 'static>() -> Option<T> {
    let any: Box<dyn std::any::Any> = Box::new(uuid::Uuid::new_v4());
    any.downcast::<T>().ok().map(|value| *value)
}

/// `assert_uuid::<T>()` compiles for `uuid::Uuid`.
pub const fn assert_uuid<T: UuidKey>() {}

/// A type `uuid_v4` can fill.
#[diagnostic::on_unimplemented(
    message = "`uuid_v4` needs a `uuid::Uuid` field, not `{Self}`",
    label = "use `uuid::Uuid`",
    note = "for an integer key write #[entity(primary_key, auto_increment)]"
)]
pub trait UuidKey {}
impl UuidKey for uuid::Uuid {}

/// `assert_has_length::<T>()` compiles for text and byte types.
pub const fn assert_has_length<T: HasLength>() {}

/// A type `max_length` applies to.
#[diagnostic::on_unimplemented(
    message = "`max_length` applies to `String` and `Vec<u8>` fields, not `{Self}`",
    label = "remove `max_length`, or use #[entity(sql_type = \"…\")]"
)]
pub trait HasLength {}
impl HasLength for String {}
impl HasLength for Vec<u8> {}

/// `default = true`.
pub struct BoolLiteral;
/// `default = 42`.
pub struct IntLiteral;
/// `default = 1.5`.
pub struct FloatLiteral;
/// `default = "text"`.
pub struct TextLiteral;

/// `assert_default::<T, Kind>()` compiles when a literal default of `Kind`
/// fits a field of type `T`.
pub const fn assert_default<T: AcceptsDefault<K>, K>() {}

/// Like [`assert_default`] for an integer literal, and fails compilation
/// when `value` is out of `T`'s range.
pub const fn assert_int_default<T: AcceptsDefault<IntLiteral>>(value: i64) {
    if value < T::MIN || value > T::MAX {
        panic!("this integer default is out of range for the field's type");
    }
}

/// Like [`assert_default`] for a string literal, and fails compilation
/// when `T` is an enum none of whose variants is stored as `value`.
pub const fn assert_text_default<T: AcceptsDefault<TextLiteral>>(value: &str) {
    let Some(accepted) = T::TEXTS else { return };
    let mut i = 0;
    while i < accepted.len() {
        if const_str_eq(accepted[i], value) {
            return;
        }
        i += 1;
    }
    panic!("this string default is not the stored name of any variant of the enum");
}

/// A field type that a literal default of kind `K` fits.
#[diagnostic::on_unimplemented(
    message = "this `default` literal does not fit a field of type `{Self}`",
    label = "the default's literal kind does not match `{Self}`",
    note = "use a literal of the field's type, or `default_sql = \"…\"` for an SQL expression"
)]
pub trait AcceptsDefault<K> {
    /// Smallest integer literal accepted.
    const MIN: i64 = i64::MIN;
    /// Largest integer literal accepted.
    const MAX: i64 = i64::MAX;
    /// The only texts accepted (an enum's stored names), if restricted.
    const TEXTS: Option<&'static [&'static str]> = None;
}
impl AcceptsDefault<BoolLiteral> for bool {}
impl AcceptsDefault<IntLiteral> for i16 {
    const MIN: i64 = i16::MIN as i64;
    const MAX: i64 = i16::MAX as i64;
}
impl AcceptsDefault<IntLiteral> for i32 {
    const MIN: i64 = i32::MIN as i64;
    const MAX: i64 = i32::MAX as i64;
}
impl AcceptsDefault<IntLiteral> for i64 {}
impl AcceptsDefault<IntLiteral> for f32 {}
impl AcceptsDefault<IntLiteral> for f64 {}
impl AcceptsDefault<FloatLiteral> for f32 {}
impl AcceptsDefault<FloatLiteral> for f64 {}
impl AcceptsDefault<TextLiteral> for String {}
/// Only `default = 0`: zero is stored alike at every scale, while SQLite
/// stores other values times 10^scale (`default_sql` per dialect for them).
#[cfg(feature = "decimal")]
impl<const P: u8, const S: u8> AcceptsDefault<IntLiteral> for crate::types::Numeric<P, S> {
    const MIN: i64 = 0;
    const MAX: i64 = 0;
}

const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHORT: &[&str] = &["fk_", "posts", "_", "users", "_", "author_id"];
    const SHORT_BYTES: [u8; ident_len(SHORT)] = ident_bytes(SHORT);

    const LONG: &[&str] = &[
        "ix_",
        "a_really_quite_long_table_name_for_testing",
        "_",
        "and_an_equally_long_column_name_here",
    ];
    const LONG_BYTES: [u8; ident_len(LONG)] = ident_bytes(LONG);

    #[test]
    fn names_built_at_run_time_are_the_same() {
        assert_eq!(ident_string(SHORT), ident_str(&SHORT_BYTES));
        assert_eq!(ident_string(LONG), ident_str(&LONG_BYTES));
        assert_eq!(ident_string(LONG).len(), MAX_IDENT);
    }

    #[test]
    fn short_names_are_concatenated() {
        assert_eq!(ident_str(&SHORT_BYTES), "fk_posts_users_author_id");
    }

    #[test]
    fn long_names_are_truncated_with_a_hash() {
        let name = ident_str(&LONG_BYTES);
        assert_eq!(name.len(), MAX_IDENT);
        assert!(name.starts_with("ix_a_really_quite_long_table_name_for_testing_and_an_e_"));
        assert!(name[55..].chars().all(|c| c.is_ascii_hexdigit()));
    }
}
