//! Every Search operator end to end, from the query string a client sends
//! to the rows the server returns, with sort, page bounds, the escaping of
//! `%`, `_` and `\`, and hostile input, on every backend.

use entable::dto::{Page, PageRequest};
use entable::prelude::*;
use entable::repo::Model;

use crate::support::on_every_backend;

#[derive(DbEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Tool,
    Part,
}

#[derive(Entity, Debug, Clone)]
#[entity(max_page_size = 4)]
pub struct Gadget {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(max_length = 40)]
    pub name: String,
    pub note: Option<String>,
    pub price: i32,
    pub weight: Option<f64>,
    pub active: bool,
    pub made_on: NaiveDate,
    pub kind: Kind,
}

type Row = (
    &'static str,
    Option<&'static str>,
    i32,
    Option<f64>,
    bool,
    &'static str,
    Kind,
);

/// Ids 1 to 6, in this order.
const ROWS: [Row; 6] = [
    (
        "Anvil",
        Some("heavy"),
        100,
        Some(50.0),
        true,
        "2024-01-10",
        Kind::Tool,
    ),
    ("bolt", None, 5, Some(0.1), true, "2024-02-01", Kind::Part),
    (
        "Crate",
        Some("50%_off"),
        40,
        None,
        false,
        "2024-03-15",
        Kind::Part,
    ),
    (
        "drill",
        Some("it's"),
        250,
        Some(2.5),
        false,
        "2024-01-31",
        Kind::Tool,
    ),
    (
        "a_b",
        Some(r"back\slash"),
        5,
        None,
        true,
        "2024-05-05",
        Kind::Part,
    ),
    (
        "AB",
        Some("HEAVY duty"),
        75,
        Some(7.0),
        true,
        "2023-12-31",
        Kind::Tool,
    ),
];

async fn seed(db: &Db) {
    Schema::of(vec![Gadget::table()])
        .expect("schema")
        .create_all(db)
        .await
        .expect("created");
    for (name, note, price, weight, active, made_on, kind) in ROWS {
        let input = GadgetCreate {
            name: name.into(),
            note: note.map(str::to_owned),
            price,
            weight,
            active,
            made_on: made_on.parse().expect("a date"),
            kind,
        };
        Gadget::create(db, input).await.expect("seeded");
    }
}

fn ids(page: &Page<Gadget>) -> Vec<i64> {
    page.items.iter().map(|g| g.id).collect()
}

/// The ids `query` selects, in id order, checked against `count` and
/// `exists` on the same filter.
async fn matching(db: &Db, query: &str) -> Vec<i64> {
    let mut search = GadgetSearch::from_query_str(&format!("{query}&sort=id"))
        .unwrap_or_else(|e| panic!("{query}: {e}"));
    search.page_size = Some(GadgetSearch::MAX_PAGE_SIZE);
    let mut all = Vec::new();
    for page in 1.. {
        search.page = Some(page);
        let found = Gadget::search(db, &search)
            .await
            .unwrap_or_else(|e| panic!("{query}: {e}"));
        all.extend(ids(&found));
        if !found.has_next() {
            assert_eq!(found.total, all.len() as u64, "{query}: total");
            break;
        }
    }
    let filter = Gadget::search_filter(&search);
    let count = Gadget::count(db, filter.clone()).await.expect("count");
    assert_eq!(count, all.len() as u64, "{query}: count");
    let exists = Gadget::exists(db, filter).await.expect("exists");
    assert_eq!(exists, !all.is_empty(), "{query}: exists");
    all
}

#[tokio::test]
async fn every_operator_from_a_query_string() {
    on_every_backend("every_operator_from_a_query_string", |t| async move {
        let db = &t.db;
        seed(db).await;
        let cases: &[(&str, &[i64])] = &[
            // Equality, on text (case-sensitive), enums and booleans.
            ("name=bolt", &[2]),
            ("name.eq=Bolt", &[]),
            ("name.ne=bolt", &[1, 3, 4, 5, 6]),
            ("name.in=bolt,drill,nope", &[2, 4]),
            ("name.not_in=bolt,drill", &[1, 3, 5, 6]),
            ("kind=tool", &[1, 4, 6]),
            ("kind.ne=tool", &[2, 3, 5]),
            ("kind.in=part", &[2, 3, 5]),
            ("active=false", &[3, 4]),
            ("active.ne=false", &[1, 2, 5, 6]),
            // Order on integers, floats and dates.
            ("price.in=5,40", &[2, 3, 5]),
            ("price.not_in=5,40", &[1, 4, 6]),
            ("price.lt=40", &[2, 5]),
            ("price.lte=40", &[2, 3, 5]),
            ("price.gt=100", &[4]),
            ("price.gte=100", &[1, 4]),
            ("price.between=40,100", &[1, 3, 6]),
            ("price.between=100,40", &[]),
            ("weight.gt=1", &[1, 4, 6]),
            ("weight.between=0.1,2.5", &[2, 4]),
            ("made_on.lt=2024-01-01", &[6]),
            ("made_on.between=2024-01-01,2024-01-31", &[1, 4]),
            ("made_on.gte=2024-03-15", &[3, 5]),
            // NULL tests; comparisons never match NULL (SQL semantics).
            ("weight.is_null=true", &[3, 5]),
            ("weight.is_null=false", &[1, 2, 4, 6]),
            ("note.is_null=true", &[2]),
            ("note.ne=heavy", &[3, 4, 5, 6]),
            ("weight.lt=100", &[1, 2, 4, 6]),
            // Text matching; `%`, `_`, `\` and quotes are literal.
            ("name.contains=r", &[3, 4]),
            ("name.contains=_", &[5]),
            ("name.icontains=_", &[5]),
            ("note.contains=%25_", &[3]),
            ("note.contains=%25", &[3]),
            ("note.ends_with=%25_off", &[3]),
            ("note.contains=\\", &[5]),
            ("note.icontains=K\\S", &[5]),
            ("note.contains='", &[4]),
            ("note.contains=heavy", &[1]),
            ("note.icontains=heavy", &[1, 6]),
            ("name.starts_with=A", &[1, 6]),
            ("name.istarts_with=a", &[1, 5, 6]),
            ("name.ends_with=l", &[1, 4]),
            ("name.iends_with=B", &[5, 6]),
            ("name.contains=", &[1, 2, 3, 4, 5, 6]),
            ("note.contains=*", &[]),
            ("note.contains=[a-z]", &[]),
            // Several filters are ANDed, also on one field.
            ("price.gte=5&price.lt=100&active=true", &[2, 5, 6]),
            ("name.istarts_with=a&name.contains=b", &[5]),
            // Values that look like SQL are values.
            ("name=x' OR '1'='1", &[]),
            ("name.contains=%25' OR 1=1 --", &[]),
            ("note.in=heavy');DROP TABLE gadget;--,heavy", &[1]),
        ];
        for (query, expected) in cases {
            assert_eq!(matching(db, query).await, *expected, "{query}");
        }
        assert_eq!(Gadget::count(db, Expr::all()).await.expect("count"), 6);
        t
    })
    .await;
}

#[tokio::test]
async fn any_of_all_of_sort_and_pages() {
    on_every_backend("any_of_all_of_sort_and_pages", |t| async move {
        let db = &t.db;
        seed(db).await;
        let search = |json: serde_json::Value| async move {
            let search: GadgetSearch = serde_json::from_value(json).expect("parses");
            Gadget::search(db, &search).await.expect("search")
        };

        let page = search(serde_json::json!({
            "active": {"eq": true},
            "any_of": [{"price": {"lt": 10}}, {"name": {"eq": "Anvil"}}],
            "sort": ["id"],
        }))
        .await;
        assert_eq!(ids(&page), [1, 2, 5]);
        let page = search(serde_json::json!({
            "all_of": [{"price": {"gte": 40}}, {"price": {"lte": 100}}],
            "any_of": [{"kind": {"eq": "tool"}}, {"note": {"contains": "%"}}],
            "sort": ["-price"],
        }))
        .await;
        assert_eq!(ids(&page), [1, 6, 3]);
        let nested = search(serde_json::json!({
            "any_of": [
                {"all_of": [{"kind": {"eq": "part"}}, {"active": {"eq": false}}]},
                {"weight": {"is_null": true}, "price": {"lt": 10}},
            ],
            "sort": ["id"],
        }))
        .await;
        assert_eq!(ids(&nested), [3, 5]);

        // Sort on several keys (ties broken by the key), NULLs last when
        // ascending and first when descending, on every backend.
        let sorted = |query: &'static str| async move {
            let search = GadgetSearch::from_query_str(query).expect(query);
            ids(&Gadget::search(db, &search).await.expect(query))
        };
        assert_eq!(sorted("sort=-price,id&page_size=4").await, [4, 1, 6, 3]);
        assert_eq!(sorted("sort=-price,-id&page=2&page_size=4").await, [5, 2]);
        assert_eq!(sorted("sort=weight&page_size=4").await, [2, 4, 6, 1]);
        assert_eq!(sorted("sort=weight&page=2&page_size=4").await, [3, 5]);
        assert_eq!(sorted("sort=-weight&page_size=4").await, [3, 5, 1, 6]);
        assert_eq!(
            sorted("sort=active,-made_on&page_size=4").await,
            [3, 4, 5, 2]
        );

        // Page bounds: page 0 is page 1, sizes are clamped to 1..=max, a
        // page past the end is empty with the right totals.
        let paged = |query: &'static str| async move {
            let search = GadgetSearch::from_query_str(query).expect(query);
            Gadget::search(db, &search).await.expect(query)
        };
        let first = paged("sort=id&page=0&page_size=2").await;
        assert_eq!(
            (ids(&first), first.page, first.total_pages),
            (vec![1, 2], 1, 3)
        );
        let clamped = paged("sort=id&page_size=1000").await;
        assert_eq!((ids(&clamped), clamped.page_size), (vec![1, 2, 3, 4], 4));
        let one = paged("sort=id&page_size=0&page=6").await;
        assert_eq!((ids(&one), one.page_size, one.total_pages), (vec![6], 1, 6));
        let past = paged("sort=id&page=3&page_size=4").await;
        assert_eq!((ids(&past), past.total, past.total_pages), (vec![], 6, 2));
        let far = paged("sort=id&page=4294967295").await;
        assert!(far.items.is_empty() && far.total == 6 && !far.has_next());
        let default = paged("").await;
        assert_eq!(
            default.page_size,
            PageRequest::DEFAULT_PAGE_SIZE.min(GadgetSearch::MAX_PAGE_SIZE)
        );
        assert_eq!(default.items.len(), 4);
        t
    })
    .await;
}

#[test]
fn hostile_sort_keys_and_fields_are_refused_before_any_sql() {
    for (query, key) in [
        ("sort=name;DROP TABLE gadget", "sort"),
        ("sort=name desc", "sort"),
        ("sort=\"name\"", "sort"),
        ("nme.eq=x", "nme"),
        ("name.like=%", "name.like"),
        ("price.gt=1 OR 1=1", "price.gt"),
        ("made_on.lt=2024-01-01'--", "made_on.lt"),
        ("kind=tool' OR 'a'='a", "kind"),
    ] {
        let error = GadgetSearch::from_query_str(query).expect_err(query);
        assert!(error.key().starts_with(key), "{query}: {error}");
    }
}
