//! Every DTO deserializer (JSON text, `serde_json::Value`, query strings)
//! fed generated and mutated input for the Create, Update and Search types:
//! never a panic, always a value or an error. Search nesting is bounded by
//! the type, on the default 2 MiB stack.
//!
//! `ENTABLE_FUZZ_CASES` (default 3000) sets the number of inputs.

use std::panic::{AssertUnwindSafe, catch_unwind};

use entable::dto::{MAX_SEARCH_DEPTH, from_query_str};
use serde::Deserialize;
use serde_json::Value;

use crate::entities::{
    AllTypesCreate, AllTypesSearch, AllTypesUpdate, UserCreate, UserSearch, UserUpdate,
};
use crate::support::announce;
use crate::support::rng::Rng;

const KEYS: &[&str] = &[
    "email",
    "display_name",
    "group_id",
    "role",
    "active",
    "created_at",
    "id",
    "small",
    "big",
    "real",
    "double",
    "text",
    "flag",
    "any_of",
    "all_of",
    "sort",
    "page",
    "page_size",
    "eq",
    "ne",
    "in",
    "not_in",
    "lt",
    "lte",
    "gt",
    "gte",
    "between",
    "contains",
    "icontains",
    "starts_with",
    "iends_with",
    "is_null",
    "version",
    "bogus",
];

const SCALARS: &[&str] = &[
    "0",
    "-1",
    "1e308",
    "1e309",
    "-0.0",
    "9223372036854775808",
    "true",
    "null",
    "\"\"",
    "\"a\\u0000b\"",
    "\"NaN\"",
    "\"inf\"",
    "\"admin\"",
    "\"ro\"",
    "\"2026-01-31\"",
    "\"2026-01-31T00:00:00Z\"",
    "\"-email,id\"",
    "\"%_\\\\\"",
    "\"É\"",
    "[]",
    "{}",
    "[1,2,3]",
    "[\"x\",null]",
];

fn json(rng: &mut Rng, depth: usize, out: &mut String) {
    match rng.below(if depth > 40 { 2 } else { 6 }) {
        0 | 1 => out.push_str(rng.pick(SCALARS)),
        2 => {
            out.push('[');
            for i in 0..rng.below(4) {
                if i > 0 {
                    out.push(',');
                }
                json(rng, depth + 1, out);
            }
            out.push(']');
        }
        _ => {
            out.push('{');
            for i in 0..rng.below(4) {
                if i > 0 {
                    out.push(',');
                }
                out.push('"');
                out.push_str(rng.pick(KEYS));
                out.push_str("\":");
                json(rng, depth + 1, out);
            }
            out.push('}');
        }
    }
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..rng.below(3) {
        if bytes.is_empty() {
            break;
        }
        let at = rng.below(bytes.len());
        match rng.below(3) {
            0 => bytes[at] = b"{}[],:\"\\0a%&=."[rng.below(14)],
            1 => bytes.truncate(at),
            _ => {
                let _ = bytes.remove(at);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn query(rng: &mut Rng) -> String {
    let mut out = String::new();
    for _ in 0..rng.below(6) {
        out.push_str(rng.pick(KEYS));
        if rng.below(2) == 0 {
            out.push('.');
            out.push_str(rng.pick(KEYS));
        }
        out.push('=');
        out.push_str(rng.pick(&[
            "1", "a,b", "%00", "%zz", "NaN", "1,2,3", "", "-email", "true", "%C3%A9",
        ]));
        out.push('&');
    }
    out
}

/// Every deserializer of every DTO on one input; `Ok` or `Err`, no panic.
fn feed(text: &str) {
    fn all<T: serde::de::DeserializeOwned>(text: &str, value: Option<&Value>) {
        let _ = serde_json::from_str::<T>(text);
        if let Some(value) = value {
            let _ = serde_json::from_value::<T>(value.clone());
            let _ = T::deserialize(value);
        }
        let _ = from_query_str::<T>(text);
    }
    let value = serde_json::from_str::<Value>(text).ok();
    let value = value.as_ref();
    all::<UserCreate>(text, value);
    all::<UserUpdate>(text, value);
    all::<UserSearch>(text, value);
    all::<AllTypesCreate>(text, value);
    all::<AllTypesUpdate>(text, value);
    all::<AllTypesSearch>(text, value);
}

#[test]
fn every_dto_deserializer_survives_generated_input() {
    let cases: usize = std::env::var("ENTABLE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let started = std::time::Instant::now();
    let mut rng = Rng(0xf022_u64.wrapping_add(0x9e37_79b9));
    // The size corpus: long lists and long strings.
    let long_list = format!(
        "{{\"email\":{{\"in\":[{}\"x\"]}}}}",
        "\"a\",".repeat(100_000)
    );
    let long_text = format!("{{\"email\":{{\"contains\":\"{}\"}}}}", "é".repeat(1 << 20));
    let many_keys: String = (0..100_000).map(|i| format!("k{i}=1&")).collect();
    for text in [long_list.as_str(), long_text.as_str(), many_keys.as_str()] {
        feed(text);
    }
    for case in 0..cases {
        let text = if case % 3 == 2 {
            query(&mut rng)
        } else {
            let mut out = String::new();
            json(&mut rng, 0, &mut out);
            if case % 3 == 1 {
                mutate(&mut rng, &out)
            } else {
                out
            }
        };
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| feed(&text))) {
            panic!("input {text:?} panicked: {panic:?}");
        }
    }
    announce(&format!(
        "every_dto_deserializer_survives_generated_input: {} inputs × 6 DTOs × 4 deserializers in {:.1?}",
        cases + 3,
        started.elapsed()
    ));
}

fn nested_text(depth: usize) -> String {
    let mut out = "{\"any_of\":[".repeat(depth);
    out.push_str("{}");
    out.push_str(&"]}".repeat(depth));
    out
}

fn nested_value(depth: usize) -> Value {
    let mut value = Value::Object(serde_json::Map::new());
    for i in 0..depth {
        let key = if i % 2 == 0 { "any_of" } else { "all_of" };
        let mut map = serde_json::Map::new();
        map.insert(key.to_owned(), Value::Array(vec![value]));
        value = Value::Object(map);
    }
    value
}

/// Takes a deep value apart without recursion (its own drop recurses).
fn dismantle(mut value: Value) {
    loop {
        let inner = match &mut value {
            Value::Object(map) => map.values_mut().next().map(Value::take),
            Value::Array(items) => items.pop(),
            _ => None,
        };
        match inner {
            Some(inner) => value = inner,
            None => return,
        }
    }
}

fn on_small_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn_scoped(s, f)
            .expect("thread")
            .join()
            .expect("no stack overflow")
    })
}

/// Item 10: a Search nested 1,000 or 100,000 deep is a typed error from
/// every deserializer, on a 2 MiB stack (serde_json::from_value used to
/// overflow it).
#[test]
fn deep_search_nesting_is_refused_on_a_small_stack() {
    let limit = format!("nested deeper than {MAX_SEARCH_DEPTH} levels");
    for depth in [1_000, 100_000] {
        let text = nested_text(depth);
        let error = on_small_stack(|| serde_json::from_str::<UserSearch>(&text).expect_err("deep"));
        assert!(error.to_string().contains(&limit), "{error}");

        let value = nested_value(depth);
        let error = on_small_stack(|| UserSearch::deserialize(&value).expect_err("deep"));
        assert!(error.to_string().contains(&limit), "{error}");
        if depth <= 1_000 {
            // from_value consumes the value: what it leaves is dropped on
            // the small stack too, which only a shallow enough value survives.
            let error = on_small_stack(move || {
                serde_json::from_value::<UserSearch>(value).expect_err("deep")
            });
            assert!(error.to_string().contains(&limit), "{error}");
        } else {
            dismantle(value);
        }
    }
    // At the limit it parses; one more level does not.
    assert!(serde_json::from_value::<UserSearch>(nested_value(MAX_SEARCH_DEPTH)).is_ok());
    assert!(serde_json::from_value::<UserSearch>(nested_value(MAX_SEARCH_DEPTH + 1)).is_err());
}
