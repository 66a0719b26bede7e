//! The generated Create, Update and Search types: serde round trips, the
//! absent/null distinction, query strings, validation of every rule kind,
//! and arbitrary input that must never panic.

use std::sync::LazyLock;

use entable::dto::{PageRequest, Patch, SortKey};
use entable::prelude::*;
use entable::validator::{Validate, ValidationError, ValidationErrors, ValidationErrorsKind};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::entities::Role;

static CODE: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new("^[A-Z]{3}-[0-9]{2}$").expect("valid regex"));

fn not_password(secret: &str) -> Result<(), ValidationError> {
    if secret.eq_ignore_ascii_case("password") {
        Err(ValidationError::new("weak_secret"))
    } else {
        Ok(())
    }
}

/// A value validated as a whole (`nested`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub languages: Vec<String>,
}

impl Validate for Profile {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if self.languages.is_empty() {
            errors.add("languages", ValidationError::new("length"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[derive(Entity, Debug, Clone)]
#[entity(
    table = "account",
    non_empty_strings,
    max_page_size = 50,
    dto_attr(derive(PartialEq))
)]
pub struct Account {
    #[entity(primary_key, uuid_v4)]
    pub id: Uuid,
    #[entity(unique, max_length = 40)]
    #[validate(email)]
    pub email: String,
    #[validate(length(
        min = 2,
        max = 20,
        code = "name_length",
        message = "2 to 20 characters"
    ))]
    pub name: String,
    pub nickname: Option<String>,
    #[validate(range(min = 13, max = 130))]
    pub age: Option<i32>,
    #[validate(url)]
    pub homepage: Option<String>,
    #[entity(default = "member")]
    pub role: Role,
    #[entity(default = true)]
    pub active: bool,
    #[entity(default_sql = "CURRENT_TIMESTAMP", read_only)]
    pub created_at: DateTime<Utc>,
    #[validate(contains(pattern = "@"), does_not_contain(pattern = "admin"))]
    pub handle: String,
    #[validate(non_control_character)]
    pub bio: Option<String>,
    #[entity(searchable = false)]
    #[validate(custom(function = not_password))]
    pub secret: String,
    #[entity(searchable = false, update = false)]
    #[validate(must_match(other = "secret"))]
    pub secret_again: String,
    #[validate(regex(path = *CODE))]
    pub code: String,
    #[validate(required)]
    pub referrer: Option<String>,
    #[entity(sql_type = "TEXT")]
    #[validate(nested)]
    pub profile: Profile,
    pub settings: Option<Json<crate::entities::Settings>>,
    pub score: f64,
    #[entity(create = false)]
    pub verified_at: Option<DateTime<Utc>>,
}

pub(crate) fn valid_create() -> serde_json::Value {
    json!({
        "email": "ada@example.com",
        "name": "Ada",
        "handle": "@ada",
        "secret": "s3cret",
        "secret_again": "s3cret",
        "code": "ABC-12",
        "referrer": "bob",
        "profile": {"languages": ["en"]},
        "score": 1.5,
    })
}

/// `field → [codes]` of a validation failure.
fn codes(errors: &ValidationErrors) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = errors
        .errors()
        .iter()
        .map(|(field, kind)| {
            let codes = match kind {
                ValidationErrorsKind::Field(list) => {
                    list.iter().map(|e| e.code.to_string()).collect()
                }
                ValidationErrorsKind::Struct(inner) => codes(inner)
                    .into_iter()
                    .map(|(f, c)| format!("{f}:{}", c.join("|")))
                    .collect(),
                ValidationErrorsKind::List(_) => vec!["list".into()],
            };
            (field.to_string(), codes)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn create_has_what_a_client_supplies() {
    let create: AccountCreate = serde_json::from_value(valid_create()).expect("valid create");
    assert_eq!(
        create.role,
        Patch::Absent,
        "a field with a default may be left out"
    );
    assert_eq!(create.nickname, None, "a nullable field may be left out");
    assert_eq!(
        serde_json::to_value(&create).expect("serialises")["referrer"],
        "bob"
    );
    let round: AccountCreate =
        serde_json::from_value(serde_json::to_value(&create).expect("serialises"))
            .expect("round trip");
    assert_eq!(round, create);
    create.validate().expect("valid");

    for (field, value) in [
        ("id", json!(Uuid::nil())),
        ("created_at", json!("2026-01-01T00:00:00Z")),
        ("verified_at", json!(null)),
        ("nope", json!(1)),
    ] {
        let mut body = valid_create();
        body[field] = value;
        let error = serde_json::from_value::<AccountCreate>(body)
            .expect_err(field)
            .to_string();
        assert!(
            error.contains(&format!("unknown field `{field}`")),
            "{field}: {error}"
        );
    }
    let mut body = valid_create();
    body.as_object_mut().expect("object").remove("email");
    let error = serde_json::from_value::<AccountCreate>(body)
        .expect_err("email is required")
        .to_string();
    assert!(error.contains("missing field `email`"), "{error}");

    let mut body = valid_create();
    body["role"] = json!("admin");
    body["active"] = json!(false);
    let create: AccountCreate = serde_json::from_value(body).expect("with defaults given");
    assert_eq!(
        (create.role, create.active),
        (Patch::Set(Role::Admin), Patch::Set(false))
    );
    let mut body = valid_create();
    body["role"] = json!("boss");
    let error = serde_json::from_value::<AccountCreate>(body)
        .expect_err("no such role")
        .to_string();
    assert!(
        error.contains("unknown variant `boss`, expected one of `admin`, `member`, `ro`"),
        "{error}"
    );
}

#[test]
fn update_tells_absent_from_null() {
    let empty: AccountUpdate = serde_json::from_str("{}").expect("empty patch");
    assert!(empty.is_empty());
    assert_eq!(serde_json::to_string(&empty).expect("serialises"), "{}");
    empty.validate().expect("an empty patch is valid");

    let patch: AccountUpdate =
        serde_json::from_str(r#"{"nickname": null, "age": 40, "name": "Grace"}"#).expect("patch");
    assert!(!patch.is_empty());
    assert_eq!(patch.nickname, Patch::Set(None), "null sets NULL");
    assert_eq!(patch.age, Patch::Set(Some(40)));
    assert_eq!(patch.homepage, Patch::Absent, "absent leaves as is");
    let round: AccountUpdate =
        serde_json::from_value(serde_json::to_value(&patch).expect("serialises"))
            .expect("round trip");
    assert_eq!(round, patch);

    let error = serde_json::from_str::<AccountUpdate>(r#"{"name": null}"#)
        .expect_err("name is NOT NULL")
        .to_string();
    assert!(error.contains("invalid type: null"), "{error}");
    for key in ["id", "secret_again", "created_at"] {
        let error = serde_json::from_str::<AccountUpdate>(&format!(r#"{{"{key}": "x"}}"#))
            .expect_err(key)
            .to_string();
        assert!(
            error.contains("unknown field"),
            "{key} is not updatable: {error}"
        );
    }
    let built = AccountUpdate {
        verified_at: Patch::Set(Some(Utc::now())),
        ..Default::default()
    };
    assert!(
        !built.is_empty(),
        "create = false fields can still be updated"
    );
}

#[test]
fn every_rule_kind_is_checked() {
    let mut body = valid_create();
    body["email"] = json!("not an email but long enough to pass forty chars");
    body["name"] = json!("A");
    body["age"] = json!(7);
    body["homepage"] = json!("no url");
    body["handle"] = json!("admin");
    body["bio"] = json!("bell\u{7}");
    body["secret"] = json!("Password");
    body["secret_again"] = json!("other");
    body["code"] = json!("abc");
    body["referrer"] = json!(null);
    body["profile"] = json!({"languages": []});
    let create: AccountCreate = serde_json::from_value(body).expect("parses");
    let errors = create.validate().expect_err("invalid");
    assert_eq!(
        codes(&errors),
        [
            ("age".to_owned(), vec!["range".to_owned()]),
            ("bio".into(), vec!["non_control_character".into()]),
            ("code".into(), vec!["regex".into()]),
            ("email".into(), vec!["email".into(), "length".into()]),
            (
                "handle".into(),
                vec!["contains".into(), "does_not_contain".into()]
            ),
            ("homepage".into(), vec!["url".into()]),
            ("name".into(), vec!["name_length".into()]),
            ("profile".into(), vec!["languages:length".into()]),
            ("referrer".into(), vec!["required".into()]),
            ("secret".into(), vec!["weak_secret".into()]),
            ("secret_again".into(), vec!["must_match".into()]),
        ]
    );
    let json = serde_json::to_value(&errors).expect("errors serialise");
    assert_eq!(json["name"][0]["message"], "2 to 20 characters");
    assert_eq!(
        json["name"][0]["params"],
        json!({"value": "A", "min": 2, "max": 20})
    );
    assert_eq!(
        json["email"][1]["params"]["max"], 40,
        "max_length implies length(max)"
    );
    assert_eq!(
        json["age"][0]["params"],
        json!({"value": 7, "min": 13, "max": 130})
    );

    let mut body = valid_create();
    body["name"] = json!("");
    body["handle"] = json!("");
    let errors = serde_json::from_value::<AccountCreate>(body)
        .expect("parses")
        .validate()
        .expect_err("empty");
    let found = codes(&errors);
    assert!(
        found.contains(&("name".into(), vec!["name_length".into()])),
        "{found:?}"
    );
    assert!(
        found.contains(&("handle".into(), vec!["contains".into(), "length".into()])),
        "non_empty_strings implies length(min = 1): {found:?}"
    );
}

#[test]
fn update_validates_only_what_is_set() {
    let patch: AccountUpdate =
        serde_json::from_str(r#"{"age": 5, "nickname": null}"#).expect("patch");
    let errors = patch.validate().expect_err("age out of range");
    assert_eq!(
        codes(&errors),
        [("age".to_owned(), vec!["range".to_owned()])]
    );
    let patch: AccountUpdate = serde_json::from_str(r#"{"referrer": null}"#).expect("patch");
    assert_eq!(
        codes(&patch.validate().expect_err("required")),
        [("referrer".to_owned(), vec!["required".to_owned()])]
    );
    let patch: AccountUpdate = serde_json::from_str(r#"{"secret": "password"}"#).expect("patch");
    assert_eq!(
        codes(&patch.validate().expect_err("weak")),
        [("secret".to_owned(), vec!["weak_secret".to_owned()])]
    );
}

#[test]
fn search_parses_json_and_query_strings() {
    let from_query = AccountSearch::from_query_str(
        "?email.icontains=ADA&name.starts_with=A&nickname.is_null=true&age.between=18,30&age.ne=20\
         &role.in=admin,member&active=true&score.gte=1.5&created_at.lt=2026-01-01T00:00:00Z\
         &sort=-age,name&page=2&page_size=500",
    )
    .expect("query parses");
    let from_json: AccountSearch = serde_json::from_value(json!({
        "email": {"icontains": "ADA"},
        "name": {"starts_with": "A"},
        "nickname": {"is_null": true},
        "age": {"between": [18, 30], "ne": 20},
        "role": {"in": ["admin", "member"]},
        "active": {"eq": true},
        "score": {"gte": 1.5},
        "created_at": {"lt": "2026-01-01T00:00:00Z"},
        "sort": ["-age", "name"],
        "page": 2,
        "page_size": 500,
    }))
    .expect("json parses");
    assert_eq!(from_query, from_json);
    assert_eq!(
        from_query.page_request(),
        PageRequest {
            page: 2,
            page_size: 50
        },
        "page size is capped"
    );
    let round: AccountSearch =
        serde_json::from_value(serde_json::to_value(&from_json).expect("serialises"))
            .expect("round trip");
    assert_eq!(round, from_json);

    let grouped: AccountSearch =
        serde_json::from_value(json!({"any_of": [{"age": {"lt": 18}}, {"role": {"eq": "admin"}}]}))
            .expect("groups");
    assert_eq!(grouped.any_of.len(), 2);

    let names: Vec<&str> = AccountSort::ALL.iter().map(|k| k.name()).collect();
    assert!(
        names.contains(&"created_at") && !names.contains(&"secret") && !names.contains(&"settings"),
        "{names:?}"
    );
    assert_eq!(AccountSort::CreatedAt.column(), "created_at");
}

#[test]
fn search_errors_name_the_key() {
    let cases = [
        ("secret.eq=x", "secret", "unknown field `secret`"),
        ("settings.eq=x", "settings", "unknown field"),
        ("sort=-secret", "sort", "unknown sort key `secret`"),
        ("role.in=admin,boss", "role.in", "unknown variant `boss`"),
        ("age.contains=1", "age.contains", "does not apply"),
        ("email.gt=a", "email.gt", "does not apply"),
        ("age.gte=old", "age.gte", "not a 32-bit integer"),
        (
            "created_at.lt=yesterday",
            "created_at.lt",
            "input contains invalid characters",
        ),
        ("active.is_null=true", "active.is_null", "does not apply"),
    ];
    for (query, key, message) in cases {
        let error = AccountSearch::from_query_str(query).expect_err(query);
        assert_eq!(error.key(), key, "{query}: {error}");
        assert!(error.to_string().contains(message), "{query}: {error}");
    }
}

mod arbitrary_input {
    use proptest::prelude::*;

    use super::*;

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(json!(null)),
            any::<bool>().prop_map(|b| json!(b)),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            "[a-z_@.%-]{0,12}".prop_map(|s| json!(s)),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                prop::collection::vec(
                    (
                        prop_oneof![
                            Just("email".to_owned()),
                            Just("age".to_owned()),
                            Just("eq".to_owned()),
                            Just("in".to_owned()),
                            Just("sort".to_owned()),
                            Just("any_of".to_owned()),
                            "[a-z_]{1,8}"
                        ],
                        inner
                    ),
                    0..5
                )
                .prop_map(|entries| serde_json::Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Arbitrary JSON never panics a DTO: it parses (and validates) or
        /// is rejected with an error.
        #[test]
        fn json_never_panics(value in json_value()) {
            if let Ok(create) = serde_json::from_value::<AccountCreate>(value.clone()) {
                let _ = create.validate();
            }
            if let Ok(update) = serde_json::from_value::<AccountUpdate>(value.clone()) {
                let _ = update.validate();
            }
            let _ = serde_json::from_value::<AccountSearch>(value);
        }

        /// Arbitrary query strings never panic the Search parser; errors
        /// are structured.
        #[test]
        fn query_strings_never_panic(query in "[a-z_.=&,%+0-9-]{0,60}") {
            if let Err(error) = AccountSearch::from_query_str(&query) {
                prop_assert!(!error.message().is_empty());
            }
        }
    }
}
