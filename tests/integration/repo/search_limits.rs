//! Hostile searches on every backend: caps refused before SQL with a typed
//! error, NUL refused alike everywhere, `any_of` of many `eq`s folded into
//! one `IN`, and Unicode case folding of the `i…` operators.

use entable::dto::{Filter, MAX_PATTERN_CHARS, MAX_SEARCH_CONDITIONS, QueryError, QueryErrorKind};
use entable::prelude::*;
use entable::repo::Model;

use crate::support::on_every_backend;

#[derive(Entity, Debug, Clone)]
#[entity(max_page_size = 1000)]
pub struct Word {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(max_length = 40)]
    pub text: String,
    pub n: i32,
}

const WORDS: [&str; 9] = [
    "école",
    "ÉCOLE",
    "Straße",
    "STRASSE",
    "ΣΟΦΙΑ",
    "σοφία",
    "plain",
    "Ωmega",
    "ωMEGA",
];

async fn seed(db: &Db, extra: i32) {
    Schema::of(vec![Word::table()])
        .expect("schema")
        .create_all(db)
        .await
        .expect("created");
    let rows = WORDS
        .iter()
        .map(|w| (*w).to_owned())
        .chain((0..extra).map(|i| format!("w{i}")));
    for (n, text) in rows.enumerate() {
        let input = WordCreate { text, n: n as i32 };
        Word::create(db, input).await.expect("seeded");
    }
}

fn query_error(error: entable::Error) -> QueryError {
    match error {
        entable::Error::Query(error) => error,
        other => panic!("expected a typed query error, got {other:?}"),
    }
}

async fn texts(db: &Db, search: &WordSearch) -> Vec<String> {
    let mut search = search.clone();
    search.page_size = Some(WordSearch::MAX_PAGE_SIZE);
    let page = Word::search(db, &search).await.expect("search");
    let mut out: Vec<String> = page.items.into_iter().map(|w| w.text).collect();
    out.sort();
    out
}

fn text(filter: Filter<String, <String as entable::dto::Filterable>::Kind>) -> WordSearch {
    WordSearch {
        text: Some(filter),
        ..Default::default()
    }
}

/// Item 9: over the cap, a typed error before SQL; 500 `eq` terms in one
/// `any_of` (folded into one `IN`) find exactly their rows.
#[tokio::test]
async fn any_of_is_capped_and_folded() {
    on_every_backend("any_of_is_capped_and_folded", |t| async move {
        let db = &t.db;
        seed(db, 600).await;
        let group = |i: usize| WordSearch {
            text: Some(Filter::new().eq(format!("w{i}"))),
            ..Default::default()
        };
        let search = WordSearch {
            any_of: (0..500).map(|i| group(i * 2)).collect(),
            ..Default::default()
        };
        let mut expected: Vec<String> = (0..500)
            .map(|i| i * 2)
            .filter(|n| *n < 600)
            .map(|n| format!("w{n}"))
            .collect();
        expected.sort();
        assert_eq!(texts(db, &search).await, expected);
        // NOT of the folded IN keeps SQL's meaning.
        let negated = Word::count(db, !Word::search_filter(&search))
            .await
            .expect("count");
        assert_eq!(negated as usize, WORDS.len() + 600 - expected.len());

        let over = WordSearch {
            any_of: (0..=MAX_SEARCH_CONDITIONS).map(group).collect(),
            ..Default::default()
        };
        let error = query_error(Word::search(db, &over).await.expect_err("over the cap"));
        assert_eq!(error.kind(), QueryErrorKind::TooManyConditions, "{error}");
        let in_list = text(Filter::new().in_((0..=MAX_SEARCH_CONDITIONS).map(|i| format!("w{i}"))));
        let error = query_error(
            Word::search(db, &in_list)
                .await
                .expect_err("list over the cap"),
        );
        assert_eq!(error.kind(), QueryErrorKind::TooManyConditions, "{error}");
        t
    })
    .await;
}

/// Item 11 and 16c: NUL in any text filter value and overlong patterns are
/// the same typed error on every backend (SQLite truncated at NUL and
/// PostgreSQL failed untyped; SQLite refused a 1 MB pattern untyped).
#[tokio::test]
async fn nul_and_long_patterns_are_refused_before_sql() {
    on_every_backend(
        "nul_and_long_patterns_are_refused_before_sql",
        |t| async move {
            let db = &t.db;
            seed(db, 0).await;
            let nul_searches = [
                text(Filter::new().contains("col\0x")),
                text(Filter::new().eq("école\0".to_owned())),
                text(Filter::new().in_(["a".to_owned(), "\0".to_owned()])),
                text(Filter::new().icontains("\0")),
            ];
            for search in &nul_searches {
                let error = query_error(Word::search(db, search).await.expect_err("NUL"));
                assert_eq!(error.kind(), QueryErrorKind::NulInText, "{error}");
            }
            let error = query_error(
                Word::find(db, Word::TEXT.contains("a\0b"))
                    .await
                    .expect_err("DSL NUL"),
            );
            assert_eq!(error.kind(), QueryErrorKind::NulInText, "{error}");
            let error = query_error(
                Word::find(db, Word::TEXT.like("%\0%"))
                    .await
                    .expect_err("like"),
            );
            assert_eq!(error.kind(), QueryErrorKind::NulInText, "{error}");

            let huge = "é".repeat(1 << 20);
            for search in [
                text(Filter::new().contains(huge.clone())),
                text(Filter::new().istarts_with(huge.clone())),
            ] {
                let error = query_error(Word::search(db, &search).await.expect_err("long"));
                assert_eq!(error.kind(), QueryErrorKind::PatternTooLong, "{error}");
            }
            let error = query_error(
                Word::find(db, Word::TEXT.ilike(huge))
                    .await
                    .expect_err("DSL long"),
            );
            assert_eq!(error.kind(), QueryErrorKind::PatternTooLong, "{error}");
            // At the cap, it runs.
            let fits = "é".repeat(MAX_PATTERN_CHARS);
            assert!(
                texts(db, &text(Filter::new().contains(fits)))
                    .await
                    .is_empty()
            );
            t
        },
    )
    .await;
}

/// Item 12: the `i…` operators fold case beyond ASCII on every backend
/// (SQLite's LIKE folded ASCII only).
#[tokio::test]
async fn case_insensitive_operators_fold_unicode() {
    on_every_backend("case_insensitive_operators_fold_unicode", |t| async move {
        let db = &t.db;
        seed(db, 0).await;
        let cases: [(Filter<String, _>, &[&str]); 9] = [
            (Filter::new().icontains("É"), &["ÉCOLE", "école"]),
            (Filter::new().icontains("é"), &["ÉCOLE", "école"]),
            (Filter::new().istarts_with("éCOL"), &["ÉCOLE", "école"]),
            (Filter::new().icontains("ß"), &["Straße"]),
            (Filter::new().icontains("STRASS"), &["STRASSE"]),
            (Filter::new().icontains("σοφ"), &["σοφία", "ΣΟΦΙΑ"]),
            (Filter::new().iends_with("MEGA"), &["ωMEGA", "Ωmega"]),
            (Filter::new().istarts_with("ω"), &["ωMEGA", "Ωmega"]),
            (Filter::new().contains("É"), &["ÉCOLE"]),
        ];
        for (filter, expected) in cases {
            let mut expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
            expected.sort();
            assert_eq!(
                texts(db, &text(filter.clone())).await,
                expected,
                "{filter:?}"
            );
        }
        let found = Word::find(db, Word::TEXT.ilike("_COLE"))
            .await
            .expect("ilike");
        assert_eq!(found.len(), 2);
        t
    })
    .await;
}
