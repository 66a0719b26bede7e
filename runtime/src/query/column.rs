//! Column handles: `User::EMAIL`, generated for every column.

use std::marker::PhantomData;

use super::SqlValue;
use super::expr::{Expr, Node};
use crate::dto::kind::{NullableKind, Ordered, Textual};
use crate::dto::{Condition, FilterKind, LikeKind};
use crate::entity::Entity;

/// Column `name` of entity `E`: its field type is `F`, the type its values
/// compare with is `T` (`F` without `Option`), and `K` (a
/// [`kind`](crate::dto::kind)) decides which comparisons exist — `lt` on a
/// text column or `contains` on a number does not compile.
pub struct Column<E, F, T, K> {
    name: &'static str,
    marker: PhantomData<Types<E, F, T, K>>,
}

/// The type parameters a column carries only at compile time.
type Types<E, F, T, K> = fn() -> (E, F, T, K);

/// The kind of a column whose type has no filter kind (JSON, custom SQL
/// types): it can be selected and ordered by, not compared.
#[derive(Debug)]
pub struct Opaque;

impl<E, F, T, K> Clone for Column<E, F, T, K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E, F, T, K> Copy for Column<E, F, T, K> {}

impl<E, F, T, K> std::fmt::Debug for Column<E, F, T, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Column({})", self.name)
    }
}

impl<E, F, T, K> Column<E, F, T, K> {
    /// The handle of column `name` (generated code calls this).
    #[doc(hidden)]
    pub const fn new(name: &'static str) -> Self {
        Column {
            name,
            marker: PhantomData,
        }
    }

    /// The column's SQL name.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

impl<E: Entity, F, T, K> Column<E, F, T, K> {
    /// Ascending order, NULLs last.
    pub fn asc(self) -> Order<E> {
        Order {
            column: self.name,
            descending: false,
            marker: PhantomData,
        }
    }

    /// Descending order, NULLs first.
    pub fn desc(self) -> Order<E> {
        Order {
            column: self.name,
            descending: true,
            marker: PhantomData,
        }
    }
}

impl<E: Entity, F, T: SqlValue, K: FilterKind> Column<E, F, T, K> {
    fn condition(self, condition: Condition<T>) -> Expr<E> {
        Expr::new(Node::condition(E::table(), self.name, condition))
    }

    /// `= value`.
    pub fn eq(self, value: impl Into<T>) -> Expr<E> {
        self.condition(Condition::Eq(value.into()))
    }

    /// `<> value` (rows where the column is NULL do not match).
    pub fn ne(self, value: impl Into<T>) -> Expr<E> {
        self.condition(Condition::Ne(value.into()))
    }

    /// `IN (…)`; an empty list matches nothing. On PostgreSQL a list of
    /// integers, text or UUIDs is bound as one array (`= ANY($1)`): one
    /// statement text for any length, and no bind-parameter limit.
    /// Elsewhere a list longer than the backend binds in one statement is
    /// an [`Error::Usage`](crate::Error::Usage).
    pub fn in_<V: Into<T>>(self, values: impl IntoIterator<Item = V>) -> Expr<E> {
        self.condition(Condition::In(values.into_iter().map(Into::into).collect()))
    }

    /// `NOT IN (…)`; an empty list matches every row.
    pub fn not_in<V: Into<T>>(self, values: impl IntoIterator<Item = V>) -> Expr<E> {
        self.condition(Condition::NotIn(
            values.into_iter().map(Into::into).collect(),
        ))
    }
}

impl<E: Entity, F, T: SqlValue, K: Ordered> Column<E, F, T, K> {
    /// `< value`.
    pub fn lt(self, value: impl Into<T>) -> Expr<E> {
        self.condition(Condition::Lt(value.into()))
    }

    /// `<= value`.
    pub fn lte(self, value: impl Into<T>) -> Expr<E> {
        self.condition(Condition::Lte(value.into()))
    }

    /// `> value`.
    pub fn gt(self, value: impl Into<T>) -> Expr<E> {
        self.condition(Condition::Gt(value.into()))
    }

    /// `>= value`.
    pub fn gte(self, value: impl Into<T>) -> Expr<E> {
        self.condition(Condition::Gte(value.into()))
    }

    /// `BETWEEN low AND high` (both included).
    pub fn between(self, low: impl Into<T>, high: impl Into<T>) -> Expr<E> {
        self.condition(Condition::Between(low.into(), high.into()))
    }
}

impl<E: Entity, F, T: SqlValue, K: Textual> Column<E, F, T, K> {
    fn text(self, kind: LikeKind, case_insensitive: bool, text: impl Into<String>) -> Expr<E> {
        self.condition(Condition::Like {
            kind,
            case_insensitive,
            text: text.into(),
        })
    }

    /// A SQL `LIKE` pattern: `%` matches any run of characters, `_` one
    /// character, `\` escapes the next one. Case-sensitive on every backend
    /// (SQLite runs it as the equivalent `GLOB`).
    pub fn like(self, pattern: impl Into<String>) -> Expr<E> {
        Expr::new(Node::Like {
            table: E::table(),
            column: self.name,
            pattern: pattern.into(),
            case_insensitive: false,
        })
    }

    /// [`like`](Self::like), ignoring letter case, Unicode-aware on every
    /// backend (on SQLite a `REGEXP` with Unicode case folding).
    pub fn ilike(self, pattern: impl Into<String>) -> Expr<E> {
        Expr::new(Node::Like {
            table: E::table(),
            column: self.name,
            pattern: pattern.into(),
            case_insensitive: true,
        })
    }

    /// Contains `text`, taken literally (`%` and `_` are not wildcards).
    pub fn contains(self, text: impl Into<String>) -> Expr<E> {
        self.text(LikeKind::Contains, false, text)
    }

    /// Starts with `text`, taken literally.
    pub fn starts_with(self, text: impl Into<String>) -> Expr<E> {
        self.text(LikeKind::StartsWith, false, text)
    }

    /// Ends with `text`, taken literally.
    pub fn ends_with(self, text: impl Into<String>) -> Expr<E> {
        self.text(LikeKind::EndsWith, false, text)
    }

    /// [`contains`](Self::contains), ignoring letter case, Unicode-aware
    /// on every backend (see the design notes on case folding).
    pub fn icontains(self, text: impl Into<String>) -> Expr<E> {
        self.text(LikeKind::Contains, true, text)
    }

    /// [`starts_with`](Self::starts_with), ignoring letter case.
    pub fn istarts_with(self, text: impl Into<String>) -> Expr<E> {
        self.text(LikeKind::StartsWith, true, text)
    }

    /// [`ends_with`](Self::ends_with), ignoring letter case.
    pub fn iends_with(self, text: impl Into<String>) -> Expr<E> {
        self.text(LikeKind::EndsWith, true, text)
    }
}

impl<E: Entity, F, T: SqlValue, K: NullableKind> Column<E, F, T, K> {
    /// `IS NULL`.
    pub fn is_null(self) -> Expr<E> {
        self.condition(Condition::IsNull(true))
    }

    /// `IS NOT NULL`.
    pub fn is_not_null(self) -> Expr<E> {
        self.condition(Condition::IsNull(false))
    }
}

/// One `ORDER BY` term of entity `E`: `User::NAME.asc()`.
pub struct Order<E> {
    pub(crate) column: &'static str,
    pub(crate) descending: bool,
    marker: PhantomData<fn() -> E>,
}

impl<E> Clone for Order<E> {
    fn clone(&self) -> Self {
        Order {
            column: self.column,
            descending: self.descending,
            marker: PhantomData,
        }
    }
}

impl<E> std::fmt::Debug for Order<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}",
            self.column,
            if self.descending { "DESC" } else { "ASC" }
        )
    }
}
