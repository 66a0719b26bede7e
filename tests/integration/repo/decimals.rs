//! Exact decimals (`Numeric<P, S>`): round trips at the edges of precision
//! and scale, values that do not fit refused with a typed error, filters
//! and sorting done by the database without arithmetic, a unique index on
//! a decimal, the audit log's exact text, on every backend.

use entable::audit::AuditLog;
use entable::prelude::*;
use entable::types::NumericError;

use crate::support::on_every_backend;

type Money = Numeric<12, 2>;
type Rate = Numeric<18, 6>;

#[derive(Entity, Debug, Clone, PartialEq)]
#[entity(audit)]
pub struct Ledger {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub amount: Money,
    #[entity(unique)]
    pub rate: Rate,
    #[validate(range(min = "0.01", max = "100"))]
    pub fee: Option<Numeric<5, 2>>,
}

fn money(text: &str) -> Money {
    text.parse()
        .unwrap_or_else(|e| panic!("{text} is a Numeric<12, 2>: {e}"))
}

fn rate(text: &str) -> Rate {
    text.parse()
        .unwrap_or_else(|e| panic!("{text} is a Numeric<18, 6>: {e}"))
}

fn entry(amount: &str, rate_text: &str) -> LedgerCreate {
    LedgerCreate {
        amount: money(amount),
        rate: rate(rate_text),
        fee: None,
    }
}

#[test]
fn values_that_do_not_fit_are_refused_when_made() {
    assert!(matches!(
        "10000000000".parse::<Money>(),
        Err(NumericError::Precision { digits: 10, .. })
    ));
    assert!(matches!(
        "0.001".parse::<Money>(),
        Err(NumericError::Scale { scale: 2, .. })
    ));
    assert!(matches!(
        "1e3".parse::<Money>(),
        Err(NumericError::Syntax(_))
    ));
    // Through a DTO: the error names the field; a float is refused.
    let error =
        entable::dto::from_json::<LedgerCreate>(r#"{"amount": "12345678901.00", "rate": "1"}"#)
            .expect_err("too many digits");
    assert_eq!(error.field(), "amount");
    let error = entable::dto::from_json::<LedgerCreate>(r#"{"amount": 0.1, "rate": "1"}"#)
        .expect_err("a float");
    assert_eq!(error.field(), "amount");
    let ok = entable::dto::from_json::<LedgerCreate>(r#"{"amount": 12, "rate": "0.5"}"#)
        .expect("an integer and a string");
    assert_eq!(ok.amount.to_string(), "12.00");
    // Validation with decimal bounds.
    let mut input = entry("1", "1");
    input.fee = Some("100.01".parse().expect("fits 5,2"));
    let errors = entable::validator::Validate::validate(&input).expect_err("over max");
    assert!(errors.field_errors().contains_key("fee"));
    input.fee = Some("100.00".parse().expect("fits 5,2"));
    assert!(entable::validator::Validate::validate(&input).is_ok());
}

#[tokio::test]
async fn decimals_round_trip_compare_and_sort_exactly() {
    on_every_backend(
        "decimals_round_trip_compare_and_sort_exactly",
        |t| async move {
            let db = &t.db;
            Schema::of([Ledger::table()])
                .expect("schema")
                .create_all(db)
                .await
                .expect("created");
            // The edges: largest, smallest, zero, one unit either side of it.
            let cases = [
                (Money::MAX, Rate::MAX),
                (Money::MIN, Rate::MIN),
                (Money::ZERO, rate("0")),
                (money("0.01"), rate("0.000001")),
                (money("-0.01"), rate("-0.000001")),
                (money("1234567890.5"), rate("0.1")),
            ];
            let mut ids = Vec::new();
            for (amount, rate) in cases {
                let row = Ledger::create(
                    db,
                    LedgerCreate {
                        amount,
                        rate,
                        fee: None,
                    },
                )
                .await
                .expect("stored");
                let back = Ledger::get(db, row.id).await.expect("read").expect("found");
                assert_eq!((back.amount, back.rate), (amount, rate), "{amount} {rate}");
                assert_eq!(back.amount.to_string(), amount.to_string());
                ids.push(row.id);
            }
            assert_eq!(Money::MAX.to_string(), "9999999999.99");
            assert_eq!(Rate::MIN.to_string(), "-999999999999.999999");

            // Comparisons are the database's, on the stored values.
            let above_zero = Ledger::query()
                .filter(Ledger::AMOUNT.gt(Money::ZERO))
                .order_by(Ledger::AMOUNT.asc())
                .all(db)
                .await
                .expect("filtered");
            let amounts: Vec<String> = above_zero.iter().map(|l| l.amount.to_string()).collect();
            assert_eq!(amounts, ["0.01", "1234567890.50", "9999999999.99"]);
            let sorted = Ledger::query()
                .order_by(Ledger::RATE.desc())
                .all(db)
                .await
                .expect("sorted");
            let rates: Vec<String> = sorted.iter().map(|l| l.rate.to_string()).collect();
            assert_eq!(
                rates,
                [
                    "999999999999.999999",
                    "0.100000",
                    "0.000001",
                    "0.000000",
                    "-0.000001",
                    "-999999999999.999999",
                ]
            );
            // The Search type: a query string, numeric operators, sort.
            for (query, expected) in [
                (
                    "amount.gte=-0.01&amount.lte=0.01",
                    vec![ids[2], ids[3], ids[4]],
                ),
                ("amount.between=-0.01,0&sort=-amount", vec![ids[2], ids[4]]),
                ("amount.lt=-0.01", vec![ids[1]]),
                ("rate.in=0.1,0.000001", vec![ids[3], ids[5]]),
                (
                    "rate.ne=0&rate.gt=-1&rate.lt=1",
                    vec![ids[3], ids[4], ids[5]],
                ),
                ("amount=9999999999.99", vec![ids[0]]),
            ] {
                let mut search = LedgerSearch::from_query_str(query).expect(query);
                if search.sort.is_empty() {
                    search =
                        LedgerSearch::from_query_str(&format!("{query}&sort=id")).expect(query);
                }
                let found: Vec<i64> = Ledger::search(db, &search)
                    .await
                    .expect(query)
                    .items
                    .iter()
                    .map(|l| l.id)
                    .collect();
                let mut want = expected.clone();
                if !query.contains("sort") {
                    want.sort();
                }
                assert_eq!(found, want, "{query}");
            }
            assert!(LedgerSearch::from_query_str("amount.gt=0.001").is_err());

            // The unique index on the decimal column.
            match Ledger::create(db, entry("5", "0.1")).await {
                Err(entable::Error::UniqueViolation { .. }) => {}
                other => panic!("expected a unique violation, got {other:?}"),
            }
            // Trailing zeros do not make another value.
            assert!(matches!(
                Ledger::create(db, entry("5", "0.100000")).await,
                Err(entable::Error::UniqueViolation { .. })
            ));

            // The audit log holds the exact text.
            let log = AuditLog::query()
                .key::<Ledger>(&ids[0])
                .all(db)
                .await
                .expect("log");
            let new = log[0].new_values.clone().expect("values");
            assert_eq!(new["amount"], serde_json::json!("9999999999.99"));
            assert_eq!(new["rate"], serde_json::json!("999999999999.999999"));
            t
        },
    )
    .await;
}

#[derive(Entity, Debug, Clone)]
pub struct Wide {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub value: Numeric<28, 10>,
}

#[tokio::test]
async fn precision_past_eighteen_is_refused_on_sqlite_only() {
    on_every_backend(
        "precision_past_eighteen_is_refused_on_sqlite_only",
        |t| async move {
            let db = &t.db;
            Schema::of([Wide::table()])
                .expect("schema")
                .create_all(db)
                .await
                .expect("created");
            let value: Numeric<28, 10> = "-999999999999999999.9999999999".parse().expect("fits");
            let stored = Wide::create(db, WideCreate { value }).await;
            if db.dialect() == Dialect::Sqlite {
                assert!(
                    matches!(stored, Err(entable::Error::InvalidValue { .. })),
                    "{stored:?}"
                );
            } else {
                let row = stored.expect("stored");
                let back = Wide::get(db, row.id).await.expect("read").expect("found");
                assert_eq!(back.value, value);
            }
            t
        },
    )
    .await;
}

#[derive(Entity, Debug, Clone)]
pub struct Posting {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub amount: Numeric<12, 2>,
}

/// Enough rows for PostgreSQL's binary `COPY`, whose numeric encoding is
/// the one binding uses; multi-row inserts elsewhere.
#[tokio::test]
async fn decimals_bulk_insert_exactly() {
    on_every_backend("decimals_bulk_insert_exactly", |t| async move {
        let db = &t.db;
        Schema::of([Posting::table()])
            .expect("schema")
            .create_all(db)
            .await
            .expect("created");
        let amount = |i: i64| Money::from_scaled(i128::from(i * 7_919 - 10_000_000)).expect("fits");
        let rows: Vec<PostingCreate> = (0..2_500)
            .map(|i| PostingCreate { amount: amount(i) })
            .collect();
        assert_eq!(Posting::bulk_insert(db, rows).await.expect("loaded"), 2_500);
        let back = Posting::query()
            .order_by(Posting::ID.asc())
            .all(db)
            .await
            .expect("read");
        let got: Vec<Money> = back.iter().map(|p| p.amount).collect();
        let want: Vec<Money> = (0..2_500).map(amount).collect();
        assert!(got == want, "bulk-loaded decimals differ");
        t
    })
    .await;
}
