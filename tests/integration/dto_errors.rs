//! Every DTO error names the field at fault: a `null` for a non-nullable
//! field, a value of the wrong type, an unknown or missing key, in Create,
//! Update and Search JSON (through `entable::dto::from_json`) and in Search
//! query strings, nested Search groups included.

use entable::dto::{DtoError, QueryErrorKind, from_json, from_json_slice, from_json_value};
use serde_json::json;

use crate::dto::{AccountCreate, AccountSearch, AccountUpdate, valid_create};

/// `(field, path)` of the error `from_json` gives for `body`, after
/// checking that its message names the path too.
fn located<T: serde::de::DeserializeOwned + std::fmt::Debug>(body: &str) -> (String, String) {
    let error: DtoError = from_json::<T>(body).expect_err(body);
    if !error.path().is_empty() {
        assert!(
            error.to_string().contains(&format!("`{}`", error.path())),
            "{body}: {error}"
        );
    }
    assert_eq!(error.kind(), QueryErrorKind::Invalid, "{body}: {error}");
    (error.field().to_owned(), error.path().to_owned())
}

fn create_with(key: &str, value: serde_json::Value) -> String {
    let mut body = valid_create();
    body[key] = value;
    body.to_string()
}

#[test]
fn create_errors_name_the_field() {
    assert!(from_json::<AccountCreate>(&valid_create().to_string()).is_ok());
    let cases = [
        ("name", json!(null), "name"),
        ("age", json!("x"), "age"),
        ("score", json!("high"), "score"),
        ("role", json!("boss"), "role"),
        ("active", json!(1), "active"),
        ("profile", json!({"languages": [1]}), "profile.languages[0]"),
        ("settings", json!(7), "settings"),
        ("nope", json!(1), "nope"),
    ];
    for (key, value, path) in cases {
        let body = create_with(key, value);
        assert_eq!(
            located::<AccountCreate>(&body),
            (key.to_owned(), path.to_owned()),
            "{body}"
        );
    }
    // A required field left out is named too.
    let mut body = valid_create();
    body.as_object_mut().expect("object").remove("email");
    let error = from_json::<AccountCreate>(&body.to_string()).expect_err("missing");
    assert_eq!((error.field(), error.path()), ("email", "email"), "{error}");
    assert!(error.message().contains("missing field `email`"), "{error}");
}

#[test]
fn update_errors_name_the_field() {
    assert!(from_json::<AccountUpdate>(r#"{"nickname": null}"#).is_ok());
    let cases = [
        (r#"{"name": null}"#, "name"),
        (r#"{"age": 5, "name": 3}"#, "name"),
        (r#"{"age": "x"}"#, "age"),
        (r#"{"age": 1.5}"#, "age"),
        (r#"{"secret_again": "s"}"#, "secret_again"),
    ];
    for (body, field) in cases {
        assert_eq!(
            located::<AccountUpdate>(body),
            (field.to_owned(), field.to_owned()),
            "{body}"
        );
    }
}

#[test]
fn search_json_errors_name_the_path() {
    let cases = [
        (r#"{"age": {"gte": "x"}}"#, "age", "age.gte"),
        (r#"{"age": {"in": [1, "x"]}}"#, "age", "age.in[1]"),
        (
            r#"{"age": {"between": [1, null]}}"#,
            "age",
            "age.between[1]",
        ),
        (r#"{"name": {"eq": null}}"#, "name", "name.eq"),
        (
            r#"{"any_of": [{}, {"age": {"gte": "x"}}]}"#,
            "any_of",
            "any_of[1].age.gte",
        ),
        (
            r#"{"all_of": [{"any_of": [{"name": {"contains": 5}}]}]}"#,
            "all_of",
            "all_of[0].any_of[0].name.contains",
        ),
        (
            r#"{"any_of": [{"agee": {"eq": 1}}]}"#,
            "any_of",
            "any_of[0].agee",
        ),
        (r#"{"page": "two"}"#, "page", "page"),
    ];
    for (body, field, path) in cases {
        assert_eq!(
            located::<AccountSearch>(body),
            (field.to_owned(), path.to_owned()),
            "{body}"
        );
    }
}

#[test]
fn search_query_errors_name_the_key() {
    for (query, key) in [
        ("age=x", "age"),
        ("age.gte=x", "age.gte"),
        ("age.in=1,x", "age.in"),
        ("active=maybe", "active"),
        ("page=two", "page"),
    ] {
        let error = AccountSearch::from_query_str(query).expect_err(query);
        assert_eq!(error.key(), key, "{query}: {error}");
        assert!(
            error.to_string().contains(&format!("`{key}`")),
            "{query}: {error}"
        );
    }
}

#[test]
fn every_entry_point_locates_and_positions() {
    let body = r#"{"age": {"gte": "x"}}"#;
    let from_str = from_json::<AccountSearch>(body).expect_err("str");
    let from_slice = from_json_slice::<AccountSearch>(body.as_bytes()).expect_err("slice");
    assert_eq!(from_str, from_slice);
    assert_eq!(from_str.position(), (1, 19));
    assert_eq!(
        from_str.to_string(),
        "invalid field `age.gte`: invalid type: string \"x\", expected i32 (line 1, column 19)"
    );
    let from_value = from_json_value::<AccountSearch>(serde_json::from_str(body).expect("json"))
        .expect_err("value");
    assert_eq!(
        (from_value.path(), from_value.position()),
        ("age.gte", (0, 0))
    );

    // The body as a whole.
    for body in ["", "1", "{\"page\": 1} x", "{"] {
        let error = from_json::<AccountSearch>(body).expect_err(body);
        assert_eq!((error.field(), error.path()), ("", ""), "{body}: {error}");
        assert!(
            error.to_string().starts_with("invalid body: "),
            "{body}: {error}"
        );
    }
}

#[test]
fn limits_keep_their_kind() {
    let mut body = String::from("{}");
    for _ in 0..=entable::dto::MAX_SEARCH_DEPTH {
        body = format!(r#"{{"any_of": [{body}]}}"#);
    }
    let error = from_json::<AccountSearch>(&body).expect_err("too deep");
    assert_eq!(error.kind(), QueryErrorKind::TooDeep, "{error}");
    assert_eq!(error.field(), "any_of");
    let error = from_json::<AccountSearch>(r#"{"name": {"eq": "a\u0000"}}"#).expect_err("nul");
    assert_eq!(
        (error.kind(), error.path()),
        (QueryErrorKind::NulInText, "name.eq"),
        "{error}"
    );
}
