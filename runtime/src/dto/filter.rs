//! Typed filters on one column: which operators apply is decided by the
//! column's type, at compile time for Rust callers and at parse time for
//! JSON and query strings.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use super::like::LikeKind;
use super::limits::{pattern_problem, refuse, value_problem};

/// A filter operator, as written in JSON keys and query strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `eq`: equal to.
    Eq,
    /// `ne`: not equal to.
    Ne,
    /// `in`: one of.
    In,
    /// `not_in`: none of.
    NotIn,
    /// `lt`: less than.
    Lt,
    /// `lte`: at most.
    Lte,
    /// `gt`: greater than.
    Gt,
    /// `gte`: at least.
    Gte,
    /// `between`: from the first to the second value, both included.
    Between,
    /// `contains`: text containing (case-sensitive).
    Contains,
    /// `starts_with`.
    StartsWith,
    /// `ends_with`.
    EndsWith,
    /// `icontains`: `contains`, ignoring case.
    IContains,
    /// `istarts_with`.
    IStartsWith,
    /// `iends_with`.
    IEndsWith,
    /// `is_null`: `true` for NULL, `false` for not NULL.
    IsNull,
}

impl Op {
    /// Every operator.
    pub const ALL: [Op; 16] = [
        Op::Eq,
        Op::Ne,
        Op::In,
        Op::NotIn,
        Op::Lt,
        Op::Lte,
        Op::Gt,
        Op::Gte,
        Op::Between,
        Op::Contains,
        Op::StartsWith,
        Op::EndsWith,
        Op::IContains,
        Op::IStartsWith,
        Op::IEndsWith,
        Op::IsNull,
    ];

    /// The operator's name.
    pub const fn name(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::In => "in",
            Op::NotIn => "not_in",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::Between => "between",
            Op::Contains => "contains",
            Op::StartsWith => "starts_with",
            Op::EndsWith => "ends_with",
            Op::IContains => "icontains",
            Op::IStartsWith => "istarts_with",
            Op::IEndsWith => "iends_with",
            Op::IsNull => "is_null",
        }
    }

    /// The operator called `name`.
    pub fn from_name(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.name() == name)
    }

    fn like(self) -> Option<(LikeKind, bool)> {
        Some(match self {
            Op::Contains => (LikeKind::Contains, false),
            Op::StartsWith => (LikeKind::StartsWith, false),
            Op::EndsWith => (LikeKind::EndsWith, false),
            Op::IContains => (LikeKind::Contains, true),
            Op::IStartsWith => (LikeKind::StartsWith, true),
            Op::IEndsWith => (LikeKind::EndsWith, true),
            _ => return None,
        })
    }
}

/// Which operators a filter accepts. See [`kind`].
pub trait FilterKind: 'static {
    /// Whether `op` applies.
    fn allows(op: Op) -> bool;
}

/// The kinds of filter, chosen by a column's type ([`Filterable`]).
pub mod kind {
    use std::marker::PhantomData;

    use super::{FilterKind, Op};

    /// Equality only: `eq`, `ne`, `in`, `not_in` (booleans, UUIDs, enums, bytes).
    #[derive(Debug)]
    pub struct Eq;
    /// Equality and order: also `lt`, `lte`, `gt`, `gte`, `between` (numbers, dates, times).
    #[derive(Debug)]
    pub struct Ord;
    /// Equality and text matching: also `contains`, `starts_with`,
    /// `ends_with` and their case-insensitive `i…` forms (text).
    #[derive(Debug)]
    pub struct Text;
    /// `K` plus `is_null`, for nullable columns.
    #[derive(Debug)]
    pub struct Nullable<K>(PhantomData<K>);

    const EQ: [Op; 4] = [Op::Eq, Op::Ne, Op::In, Op::NotIn];

    impl FilterKind for Eq {
        fn allows(op: Op) -> bool {
            EQ.contains(&op)
        }
    }
    impl FilterKind for Ord {
        fn allows(op: Op) -> bool {
            EQ.contains(&op) || matches!(op, Op::Lt | Op::Lte | Op::Gt | Op::Gte | Op::Between)
        }
    }
    impl FilterKind for Text {
        fn allows(op: Op) -> bool {
            EQ.contains(&op) || op.like().is_some()
        }
    }
    impl<K: FilterKind> FilterKind for Nullable<K> {
        fn allows(op: Op) -> bool {
            op == Op::IsNull || K::allows(op)
        }
    }

    /// Kinds with `lt`/`gt`/`between`.
    pub trait Ordered: FilterKind {}
    impl Ordered for Ord {}
    impl Ordered for Nullable<Ord> {}
    /// Kinds with text matching.
    pub trait Textual: FilterKind {}
    impl Textual for Text {}
    impl Textual for Nullable<Text> {}
    /// Kinds with `is_null`.
    pub trait NullableKind: FilterKind {}
    impl<K: FilterKind> NullableKind for Nullable<K> {}
}

/// The filter kind of a column type. Implemented for the types of the type
/// table and by `#[derive(DbEnum)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be filtered in a generated Search type",
    label = "no filter kind for `{Self}`",
    note = "leave the field out of the Search type with #[entity(searchable = false)], or implement `entable::dto::Filterable` for it"
)]
pub trait Filterable {
    /// Its filter kind.
    type Kind: FilterKind;
}

macro_rules! filterable {
    ($kind:ident: $($ty:ty),*) => {
        $(impl Filterable for $ty { type Kind = kind::$kind; })*
    };
}
filterable!(Eq: bool, uuid::Uuid, Vec<u8>);
filterable!(Ord: i16, i32, i64, f32, f64);
filterable!(Text: String);
#[cfg(feature = "chrono")]
filterable!(Ord: chrono::DateTime<chrono::Utc>, chrono::NaiveDateTime, chrono::NaiveDate, chrono::NaiveTime);

/// One condition on a column.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition<T> {
    /// `= value`.
    Eq(T),
    /// `<> value`.
    Ne(T),
    /// `IN (…)`; an empty list matches nothing.
    In(Vec<T>),
    /// `NOT IN (…)`; an empty list matches everything.
    NotIn(Vec<T>),
    /// `< value`.
    Lt(T),
    /// `<= value`.
    Lte(T),
    /// `> value`.
    Gt(T),
    /// `>= value`.
    Gte(T),
    /// `BETWEEN low AND high`.
    Between(T, T),
    /// `LIKE` on text, the user's text taken literally.
    Like {
        /// Where the text must occur.
        kind: LikeKind,
        /// Ignore letter case.
        case_insensitive: bool,
        /// The text, unescaped.
        text: String,
    },
    /// `IS NULL` (`true`) or `IS NOT NULL` (`false`).
    IsNull(bool),
}

impl<T> Condition<T> {
    /// The operator of this condition.
    pub fn op(&self) -> Op {
        match self {
            Condition::Eq(_) => Op::Eq,
            Condition::Ne(_) => Op::Ne,
            Condition::In(_) => Op::In,
            Condition::NotIn(_) => Op::NotIn,
            Condition::Lt(_) => Op::Lt,
            Condition::Lte(_) => Op::Lte,
            Condition::Gt(_) => Op::Gt,
            Condition::Gte(_) => Op::Gte,
            Condition::Between(..) => Op::Between,
            Condition::Like {
                kind: LikeKind::Contains,
                case_insensitive: false,
                ..
            } => Op::Contains,
            Condition::Like {
                kind: LikeKind::StartsWith,
                case_insensitive: false,
                ..
            } => Op::StartsWith,
            Condition::Like {
                kind: LikeKind::EndsWith,
                case_insensitive: false,
                ..
            } => Op::EndsWith,
            Condition::Like {
                kind: LikeKind::Contains,
                case_insensitive: true,
                ..
            } => Op::IContains,
            Condition::Like {
                kind: LikeKind::StartsWith,
                case_insensitive: true,
                ..
            } => Op::IStartsWith,
            Condition::Like {
                kind: LikeKind::EndsWith,
                case_insensitive: true,
                ..
            } => Op::IEndsWith,
            Condition::IsNull(_) => Op::IsNull,
        }
    }
}

/// Conditions on one column of type `T`, all of which must hold. `K` (a
/// [`kind`]) decides which operators exist: `lt` on a text column or
/// `contains` on a number does not compile, and is refused by name when
/// parsed.
///
/// ```
/// use entable::dto::{Filter, kind};
///
/// let adults = Filter::<i32, kind::Ord>::new().gte(18).lt(65);
/// assert_eq!(adults.conditions().len(), 2);
///
/// let parsed: Filter<String, kind::Text> =
///     serde_json::from_str(r#"{"icontains": "50%", "ne": "x"}"#).unwrap();
/// assert_eq!(parsed.conditions().len(), 2);
///
/// let error = serde_json::from_str::<Filter<i32, kind::Ord>>(r#"{"contains": "1"}"#).unwrap_err();
/// assert!(error.to_string().contains("`contains` does not apply"));
/// ```
pub struct Filter<T, K> {
    conditions: Vec<Condition<T>>,
    kind: PhantomData<fn() -> K>,
}

impl<T, K> Filter<T, K> {
    /// No conditions: matches every row.
    pub fn new() -> Self {
        Filter {
            conditions: Vec::new(),
            kind: PhantomData,
        }
    }

    /// The conditions, in the order given.
    pub fn conditions(&self) -> &[Condition<T>] {
        &self.conditions
    }

    /// Whether no condition is set.
    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }

    fn with(mut self, condition: Condition<T>) -> Self {
        self.conditions.push(condition);
        self
    }

    /// Equal to `value`.
    pub fn eq(self, value: T) -> Self {
        self.with(Condition::Eq(value))
    }

    /// Not equal to `value`.
    pub fn ne(self, value: T) -> Self {
        self.with(Condition::Ne(value))
    }

    /// One of `values`.
    pub fn in_(self, values: impl IntoIterator<Item = T>) -> Self {
        self.with(Condition::In(values.into_iter().collect()))
    }

    /// None of `values`.
    pub fn not_in(self, values: impl IntoIterator<Item = T>) -> Self {
        self.with(Condition::NotIn(values.into_iter().collect()))
    }
}

impl<T, K: kind::Ordered> Filter<T, K> {
    /// Less than `value`.
    pub fn lt(self, value: T) -> Self {
        self.with(Condition::Lt(value))
    }

    /// At most `value`.
    pub fn lte(self, value: T) -> Self {
        self.with(Condition::Lte(value))
    }

    /// Greater than `value`.
    pub fn gt(self, value: T) -> Self {
        self.with(Condition::Gt(value))
    }

    /// At least `value`.
    pub fn gte(self, value: T) -> Self {
        self.with(Condition::Gte(value))
    }

    /// From `low` to `high`, both included.
    pub fn between(self, low: T, high: T) -> Self {
        self.with(Condition::Between(low, high))
    }
}

impl<T, K: kind::Textual> Filter<T, K> {
    fn like(self, kind: LikeKind, case_insensitive: bool, text: impl Into<String>) -> Self {
        self.with(Condition::Like {
            kind,
            case_insensitive,
            text: text.into(),
        })
    }

    /// Containing `text` (`%` and `_` in it are literal).
    pub fn contains(self, text: impl Into<String>) -> Self {
        self.like(LikeKind::Contains, false, text)
    }

    /// Starting with `text`.
    pub fn starts_with(self, text: impl Into<String>) -> Self {
        self.like(LikeKind::StartsWith, false, text)
    }

    /// Ending with `text`.
    pub fn ends_with(self, text: impl Into<String>) -> Self {
        self.like(LikeKind::EndsWith, false, text)
    }

    /// Containing `text`, ignoring case.
    pub fn icontains(self, text: impl Into<String>) -> Self {
        self.like(LikeKind::Contains, true, text)
    }

    /// Starting with `text`, ignoring case.
    pub fn istarts_with(self, text: impl Into<String>) -> Self {
        self.like(LikeKind::StartsWith, true, text)
    }

    /// Ending with `text`, ignoring case.
    pub fn iends_with(self, text: impl Into<String>) -> Self {
        self.like(LikeKind::EndsWith, true, text)
    }
}

impl<T, K: kind::NullableKind> Filter<T, K> {
    /// NULL (`true`) or not NULL (`false`).
    pub fn is_null(self, null: bool) -> Self {
        self.with(Condition::IsNull(null))
    }
}

impl<T, K> Default for Filter<T, K> {
    fn default() -> Self {
        Filter::new()
    }
}

impl<T: Clone, K> Clone for Filter<T, K> {
    fn clone(&self) -> Self {
        Filter {
            conditions: self.conditions.clone(),
            kind: PhantomData,
        }
    }
}

impl<T: fmt::Debug, K> fmt::Debug for Filter<T, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Filter").field(&self.conditions).finish()
    }
}

impl<T: PartialEq, K> PartialEq for Filter<T, K> {
    fn eq(&self, other: &Self) -> bool {
        self.conditions == other.conditions
    }
}

impl<T: Serialize + 'static, K> Serialize for Filter<T, K> {
    /// Fails on a value no parse would give back (NaN, infinity, text with
    /// NUL): a filter that serialises always deserialises to itself.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if let Some((_, message)) = self.conditions.iter().find_map(Condition::problem) {
            return Err(serde::ser::Error::custom(message));
        }
        let mut map = serializer.serialize_map(Some(self.conditions.len()))?;
        for condition in &self.conditions {
            let key = condition.op().name();
            match condition {
                Condition::Eq(v)
                | Condition::Ne(v)
                | Condition::Lt(v)
                | Condition::Lte(v)
                | Condition::Gt(v)
                | Condition::Gte(v) => map.serialize_entry(key, v)?,
                Condition::In(vs) | Condition::NotIn(vs) => map.serialize_entry(key, vs)?,
                Condition::Between(low, high) => map.serialize_entry(key, &(low, high))?,
                Condition::Like { text, .. } => map.serialize_entry(key, text)?,
                Condition::IsNull(null) => map.serialize_entry(key, null)?,
            }
        }
        map.end()
    }
}

impl<T: 'static> Condition<T> {
    /// Why this condition's values are refused, if they are: text with NUL,
    /// NaN or infinity, a pattern over the length cap.
    pub(crate) fn problem(&self) -> Option<(crate::dto::QueryErrorKind, String)> {
        match self {
            Condition::Eq(v)
            | Condition::Ne(v)
            | Condition::Lt(v)
            | Condition::Lte(v)
            | Condition::Gt(v)
            | Condition::Gte(v) => value_problem(v),
            Condition::In(vs) | Condition::NotIn(vs) => vs.iter().find_map(value_problem),
            Condition::Between(low, high) => value_problem(low).or_else(|| value_problem(high)),
            Condition::Like { text, .. } => pattern_problem(text),
            Condition::IsNull(_) => None,
        }
    }
}

impl<'de, T: Deserialize<'de> + 'static, K: FilterKind> Deserialize<'de> for Filter<T, K> {
    /// Refuses, besides operators outside the kind: `between` without
    /// exactly two values, text with NUL, NaN or infinity, and patterns
    /// longer than [`MAX_PATTERN_CHARS`](crate::dto::MAX_PATTERN_CHARS).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FilterVisitor<T, K>(PhantomData<fn() -> (T, K)>);

        impl<'de, T: Deserialize<'de> + 'static, K: FilterKind> Visitor<'de> for FilterVisitor<T, K> {
            type Value = Filter<T, K>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of filter operators, such as {\"gte\": 1}")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut filter = Filter::new();
                while let Some(OpKey(op, _)) = map.next_key::<OpKey<K>>()? {
                    let condition = match op {
                        Op::Eq => Condition::Eq(map.next_value::<Checked<T>>()?.0),
                        Op::Ne => Condition::Ne(map.next_value::<Checked<T>>()?.0),
                        Op::In => Condition::In(list(map.next_value()?)),
                        Op::NotIn => Condition::NotIn(list(map.next_value()?)),
                        Op::Lt => Condition::Lt(map.next_value::<Checked<T>>()?.0),
                        Op::Lte => Condition::Lte(map.next_value::<Checked<T>>()?.0),
                        Op::Gt => Condition::Gt(map.next_value::<Checked<T>>()?.0),
                        Op::Gte => Condition::Gte(map.next_value::<Checked<T>>()?.0),
                        Op::Between => {
                            let Pair(low, high) = map.next_value()?;
                            Condition::Between(low, high)
                        }
                        Op::IsNull => Condition::IsNull(map.next_value()?),
                        like => {
                            let (kind, case_insensitive) = like
                                .like()
                                .ok_or_else(|| de::Error::custom("not a text operator"))?;
                            Condition::Like {
                                kind,
                                case_insensitive,
                                text: map.next_value::<Pattern>()?.0,
                            }
                        }
                    };
                    filter.conditions.push(condition);
                }
                Ok(filter)
            }
        }

        deserializer.deserialize_map(FilterVisitor(PhantomData))
    }
}

/// A filter value, refused when it is text with NUL, NaN or infinite.
/// Checked while the value is read, so errors are reported at its key.
struct Checked<T>(T);

impl<'de, T: Deserialize<'de> + 'static> Deserialize<'de> for Checked<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = T::deserialize(deserializer)?;
        match value_problem(&value) {
            Some((kind, message)) => Err(refuse(kind, message)),
            None => Ok(Checked(value)),
        }
    }
}

fn list<T>(values: Vec<Checked<T>>) -> Vec<T> {
    values.into_iter().map(|v| v.0).collect()
}

/// The two values of `between`: a third is refused, not dropped.
struct Pair<T>(T, T);

impl<'de, T: Deserialize<'de> + 'static> Deserialize<'de> for Pair<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let values = Vec::<Checked<T>>::deserialize(deserializer)?;
        let len = values.len();
        let mut values = values.into_iter();
        match (values.next(), values.next(), values.next()) {
            (Some(low), Some(high), None) => Ok(Pair(low.0, high.0)),
            _ => Err(de::Error::invalid_length(len, &"two values for `between`")),
        }
    }
}

/// The text of `contains` and the like: no NUL, at most
/// [`MAX_PATTERN_CHARS`](crate::dto::MAX_PATTERN_CHARS) characters.
struct Pattern(String);

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match pattern_problem(&text) {
            Some((kind, message)) => Err(refuse(kind, message)),
            None => Ok(Pattern(text)),
        }
    }
}

/// A filter's key: an operator that applies to kind `K`. Checked while the
/// key is read, so errors are reported at the key.
struct OpKey<K>(Op, PhantomData<K>);

impl<'de, K: FilterKind> Deserialize<'de> for OpKey<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let key = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        let allowed = || {
            Op::ALL
                .into_iter()
                .filter(|op| K::allows(*op))
                .map(Op::name)
                .collect::<Vec<_>>()
                .join(", ")
        };
        match Op::from_name(&key) {
            Some(op) if K::allows(op) => Ok(OpKey(op, PhantomData)),
            Some(_) => Err(de::Error::custom(format!(
                "operator `{key}` does not apply to this field; expected one of: {}",
                allowed()
            ))),
            None => Err(de::Error::custom(format!(
                "unknown filter operator `{key}`; expected one of: {}",
                allowed()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Age = Filter<i32, kind::Ord>;
    type Nick = Filter<String, kind::Nullable<kind::Text>>;

    #[test]
    fn json_round_trip_of_every_operator() {
        let json = r#"{"eq":1,"ne":2,"in":[3,4],"not_in":[5],"lt":6,"lte":7,"gt":8,"gte":9,"between":[10,11]}"#;
        let age: Age = serde_json::from_str(json).expect("parses");
        assert_eq!(
            age,
            Age::new()
                .eq(1)
                .ne(2)
                .in_([3, 4])
                .not_in([5])
                .lt(6)
                .lte(7)
                .gt(8)
                .gte(9)
                .between(10, 11)
        );
        assert_eq!(serde_json::to_string(&age).expect("serialises"), json);

        let json = r#"{"contains":"a","starts_with":"b","ends_with":"c","icontains":"d","istarts_with":"e","iends_with":"f","is_null":false}"#;
        let nick: Nick = serde_json::from_str(json).expect("parses");
        assert_eq!(
            nick,
            Nick::new()
                .contains("a")
                .starts_with("b")
                .ends_with("c")
                .icontains("d")
                .istarts_with("e")
                .iends_with("f")
                .is_null(false)
        );
        assert_eq!(serde_json::to_string(&nick).expect("serialises"), json);
    }

    #[test]
    fn operators_outside_the_kind_are_refused_by_name() {
        let error =
            serde_json::from_str::<Age>(r#"{"is_null": true}"#).expect_err("age is not nullable");
        assert!(error.to_string().contains("operator `is_null` does not apply to this field; expected one of: eq, ne, in, not_in, lt, lte, gt, gte, between"), "{error}");
        let error = serde_json::from_str::<Age>(r#"{"bigger": 1}"#).expect_err("no such operator");
        assert!(
            error
                .to_string()
                .contains("unknown filter operator `bigger`"),
            "{error}"
        );
        let error = serde_json::from_str::<Age>(r#"{"gte": "x"}"#).expect_err("not a number");
        assert!(error.to_string().contains("invalid type"), "{error}");
    }
}
