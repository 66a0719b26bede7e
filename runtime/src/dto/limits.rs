//! Bounds on what a client may send: the size of a query string, how deep a
//! Search nests, how many conditions one search holds, and which values a
//! filter accepts. Each refusal is a [`QueryError`] of its own
//! [`QueryErrorKind`], raised before any SQL is sent.

use std::cell::{Cell, RefCell};

use serde::de::{self, Deserialize, Deserializer};

use super::error::{QueryError, QueryErrorKind};

/// The longest query string [`from_query_str`](super::from_query_str)
/// accepts, in bytes (64 KiB).
pub const MAX_QUERY_LEN: usize = 64 * 1024;

/// The most `key=value` pairs one query string may hold.
pub const MAX_QUERY_PAIRS: usize = 1_000;

/// How deep `any_of`/`all_of` groups of a Search may nest (the top-level
/// Search is depth 0). Checked by the Search type's `Deserialize`, so it
/// holds for every format.
pub const MAX_SEARCH_DEPTH: usize = 32;

/// The most conditions one search may hold, counted over every group; each
/// value of an `in`/`not_in` list counts as one.
pub const MAX_SEARCH_CONDITIONS: usize = 1_000;

/// The longest text a `contains`/`starts_with`/`ends_with` (and their `i…`
/// forms) or a `LIKE` pattern may have, in characters.
pub const MAX_PATTERN_CHARS: usize = 1_000;

thread_local! {
    /// The kind of the error a deserializer is being asked to build, with
    /// its message: a `QueryError` made from that very message takes the
    /// kind (serde's `Error::custom` carries only text).
    static PENDING: RefCell<Option<(QueryErrorKind, String)>> = const { RefCell::new(None) };
    /// How many Search groups enclose the one being deserialised.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// A deserializer's error of `kind`: in a query string a [`QueryError`] of
/// that kind, elsewhere (JSON) the format's error with the same message.
pub(crate) fn refuse<E: de::Error>(kind: QueryErrorKind, message: String) -> E {
    PENDING.with(|p| *p.borrow_mut() = Some((kind, message.clone())));
    E::custom(message)
}

/// The kind recorded by [`refuse`] for `message`, if it is that message.
pub(crate) fn pending_kind(message: &str) -> QueryErrorKind {
    PENDING
        .with(|p| p.borrow_mut().take())
        .filter(|(_, m)| m == message)
        .map_or(QueryErrorKind::Invalid, |(kind, _)| kind)
}

/// Forgets a kind recorded for an error that was never built.
pub(crate) fn clear_pending() {
    PENDING.with(|p| p.borrow_mut().take());
}

struct DepthGuard;

impl Drop for DepthGuard {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Deserialises the `any_of`/`all_of` groups of a generated Search,
/// refusing to nest deeper than [`MAX_SEARCH_DEPTH`]: the depth is counted
/// on the thread, so the limit holds for every deserializer (JSON text, a
/// `serde_json::Value`, a query string, …) before the stack runs out.
pub fn nested_groups<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let depth = DEPTH.with(|d| d.get()) + 1;
    if depth > MAX_SEARCH_DEPTH {
        return Err(refuse(
            QueryErrorKind::TooDeep,
            format!("search groups (any_of/all_of) nested deeper than {MAX_SEARCH_DEPTH} levels"),
        ));
    }
    DEPTH.with(|d| d.set(depth));
    let _guard = DepthGuard;
    Vec::<T>::deserialize(deserializer)
}

/// Why a text is refused as a filter value, if it is.
pub(crate) fn text_problem(text: &str) -> Option<(QueryErrorKind, String)> {
    if text.contains('\0') {
        return Some((
            QueryErrorKind::NulInText,
            "text values must not contain the NUL character (U+0000)".to_owned(),
        ));
    }
    None
}

/// Why a pattern's text is refused, if it is.
pub(crate) fn pattern_problem(text: &str) -> Option<(QueryErrorKind, String)> {
    if let Some(problem) = text_problem(text) {
        return Some(problem);
    }
    // Bytes bound chars from above: only count when it could matter.
    if text.len() > MAX_PATTERN_CHARS && text.chars().count() > MAX_PATTERN_CHARS {
        return Some((
            QueryErrorKind::PatternTooLong,
            format!("a text pattern must be at most {MAX_PATTERN_CHARS} characters long"),
        ));
    }
    None
}

/// Why a filter value is refused, if it is: text with NUL, a NaN or
/// infinite number.
pub(crate) fn value_problem<T: 'static>(value: &T) -> Option<(QueryErrorKind, String)> {
    let any = value as &dyn std::any::Any;
    if let Some(text) = any.downcast_ref::<String>() {
        return text_problem(text);
    }
    let finite = if let Some(x) = any.downcast_ref::<f64>() {
        x.is_finite()
    } else if let Some(x) = any.downcast_ref::<f32>() {
        x.is_finite()
    } else {
        true
    };
    (!finite).then(|| {
        (
            QueryErrorKind::NonFinite,
            "numbers must be finite (no NaN or infinity)".to_owned(),
        )
    })
}

/// `problem` as a [`QueryError`] with no key.
pub(crate) fn to_error((kind, message): (QueryErrorKind, String)) -> QueryError {
    QueryError::new(kind, "", message)
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::dto::{Filter, from_query_str, kind};

    #[derive(Deserialize, Serialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Search {
        name: Option<Filter<String, kind::Text>>,
        age: Option<Filter<i32, kind::Ord>>,
        weight: Option<Filter<f64, kind::Nullable<kind::Ord>>>,
    }

    fn refused(query: &str) -> QueryError {
        from_query_str::<Search>(query).expect_err(query)
    }

    /// Item 8: 100,000 distinct keys were parsed in quadratic time before
    /// the first unknown one was reported; now the pair cap refuses them.
    #[test]
    fn many_keys_are_refused_by_the_pair_cap() {
        let query: String = (0..100_000).map(|i| format!("k{i}=1&")).collect();
        assert!(query.len() < 2 * MAX_QUERY_LEN * 16);
        let started = std::time::Instant::now();
        let error = refused(&query);
        // Over the length cap first; under it, over the pair cap.
        assert_eq!(error.kind(), QueryErrorKind::TooLong, "{error}");
        let query: String = (0..MAX_QUERY_PAIRS + 1)
            .map(|i| format!("k{i}=1&"))
            .collect();
        let error = refused(&query);
        assert_eq!(error.kind(), QueryErrorKind::TooManyPairs, "{error}");
        assert!(error.to_string().contains("1000 pairs"), "{error}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        // Within the caps, the first unknown key is named.
        let query: String = (0..MAX_QUERY_PAIRS).map(|i| format!("k{i}=1&")).collect();
        let error = refused(&query);
        assert_eq!((error.kind(), error.key()), (QueryErrorKind::Invalid, "k0"));
    }

    /// Item 16a: a third `between` value was silently dropped.
    #[test]
    fn between_takes_exactly_two_values() {
        for query in ["age.between=1,2,3", "age.between=1", "age.between=1,2,3,4"] {
            let error = refused(query);
            assert_eq!(error.key(), "age.between", "{error}");
            assert!(error.message().contains("invalid length"), "{error}");
        }
        let json = serde_json::from_str::<Search>(r#"{"age":{"between":[1,2,3]}}"#);
        assert!(json.is_err());
        assert!(from_query_str::<Search>("age.between=1,2").is_ok());
    }

    /// Item 16b: NaN and infinity serialised as `null` and did not parse
    /// back; now no format accepts them and serialising one fails.
    #[test]
    fn non_finite_numbers_are_refused_everywhere() {
        for query in [
            "weight.eq=NaN",
            "weight.gt=inf",
            "weight.in=1,-inf",
            "weight.between=0,NaN",
        ] {
            let error = refused(query);
            assert_eq!(error.kind(), QueryErrorKind::NonFinite, "{query}: {error}");
            assert!(error.key().starts_with("weight."), "{error}");
        }
        let search = Search {
            name: None,
            age: None,
            weight: Some(Filter::new().eq(f64::NAN)),
        };
        assert!(serde_json::to_string(&search).is_err());
        let search = Search {
            name: None,
            age: None,
            weight: Some(Filter::new().eq(1.5).is_null(false)),
        };
        let json = serde_json::to_string(&search).expect("finite");
        assert_eq!(
            serde_json::from_str::<Search>(&json).expect("round trip"),
            search
        );
    }

    /// Item 11 and 16c at parse time: NUL in text, long patterns.
    #[test]
    fn nul_and_long_patterns_are_refused_with_their_kind() {
        for query in ["name.eq=a%00b", "name.contains=%00", "name.in=a,b%00"] {
            let error = refused(query);
            assert_eq!(error.kind(), QueryErrorKind::NulInText, "{query}: {error}");
        }
        let long = "x".repeat(MAX_PATTERN_CHARS + 1);
        let error = refused(&format!("name.icontains={long}"));
        assert_eq!(error.kind(), QueryErrorKind::PatternTooLong, "{error}");
        assert_eq!(error.key(), "name.icontains");
        let fits = "é".repeat(MAX_PATTERN_CHARS);
        assert!(from_query_str::<Search>(&format!("name.contains={fits}")).is_ok());
        let json = serde_json::from_str::<Search>(r#"{"name":{"eq":"a\u0000"}}"#).expect_err("NUL");
        assert!(json.to_string().contains("NUL"), "{json}");
    }
}
