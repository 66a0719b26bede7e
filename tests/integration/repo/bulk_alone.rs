//! A bulk load that fits one statement is sent as that statement alone,
//! without `BEGIN` and `COMMIT` around it (one statement is atomic by
//! itself); a load of several statements keeps its transaction and stays
//! all or nothing.

use std::sync::atomic::Ordering;

use entable::Error;
use entable::dto::Patch;
use entable::prelude::*;
use tracing::Instrument;

use crate::support::statements::StatementCounter;
use crate::support::{TestDb, on_every_backend};

#[derive(Entity, Debug, Clone)]
pub struct Reading {
    #[entity(primary_key)]
    pub sensor: i32,
    #[entity(primary_key)]
    pub n: i32,
    pub v: f64,
    /// Given or left to its default: rows that differ here write different
    /// columns, so a load alternating between them takes several
    /// statements.
    #[entity(default = "raw", max_length = 10)]
    pub source: String,
}

fn reading(n: i32) -> ReadingCreate {
    ReadingCreate {
        sensor: 1,
        n,
        v: f64::from(n) / 2.0,
        source: Patch::Absent,
    }
}

/// Statements and transaction-control statements `load` sends.
async fn counted<F, T>(load: F) -> (T, usize, usize)
where
    F: std::future::Future<Output = T>,
{
    let (span, statements, control) = StatementCounter::global().span_with_control();
    let out = load.instrument(span).await;
    (
        out,
        statements.load(Ordering::SeqCst),
        control.load(Ordering::SeqCst),
    )
}

#[tokio::test]
async fn a_load_of_one_statement_is_sent_alone() {
    StatementCounter::global();
    on_every_backend(
        "a_load_of_one_statement_is_sent_alone",
        |t: TestDb| async move {
            let db = &t.db;
            let dialect = t.dialect;
            Schema::of(vec![Reading::table()])
                .expect("schema")
                .create_all(db)
                .await
                .expect("created");
            // A connection in the pool before counting, so that no
            // connection's set-up is counted.
            Reading::count(db, Expr::all()).await.expect("warm");

            let (inserted, statements, control) =
                counted(Reading::bulk_insert(db, (0..100).map(reading))).await;
            assert_eq!(inserted.expect("bulk insert"), 100);
            assert_eq!((statements, control), (1, 0), "{dialect}: one INSERT alone");

            let (created, statements, control) =
                counted(Reading::bulk_create(db, (100..200).map(reading).collect())).await;
            assert_eq!(created.expect("bulk create").len(), 100);
            if dialect == Dialect::MySql {
                // No RETURNING: the settings that say whether keys may be
                // read back, the INSERT, the rows read back; in one
                // transaction.
                assert_eq!((statements, control), (3, 2), "{dialect}");
            } else {
                assert_eq!(
                    (statements, control),
                    (1, 0),
                    "{dialect}: INSERT … RETURNING alone"
                );
            }

            // Rows alternating between two column sets: two runs, two
            // statements, in a transaction. A duplicate key in the last
            // undoes the first.
            let alternating = |from: i32| {
                (from..from + 10).map(|n| ReadingCreate {
                    source: if n % 2 == 0 {
                        Patch::Set("probe".to_string())
                    } else {
                        Patch::Absent
                    },
                    ..reading(n)
                })
            };
            let ordered = |from: i32| {
                let mut rows: Vec<_> = alternating(from).collect();
                rows.sort_by_key(|r| !r.source.is_absent());
                rows
            };
            let (inserted, statements, control) =
                counted(Reading::bulk_insert(db, ordered(200))).await;
            assert_eq!(inserted.expect("two runs"), 10);
            assert_eq!(
                (statements, control),
                (2, 2),
                "{dialect}: two statements, one transaction"
            );

            let mut duplicate = ordered(300);
            if let Some(last) = duplicate.last_mut() {
                last.n = 0;
            }
            let failed = Reading::bulk_insert(db, duplicate).await;
            assert!(
                matches!(failed, Err(Error::UniqueViolation { .. })),
                "{dialect}: {failed:?}"
            );
            assert_eq!(
                Reading::count(db, Reading::N.gte(300))
                    .await
                    .expect("count"),
                0,
                "{dialect}: the first statement is undone"
            );
            assert_eq!(Reading::count(db, Expr::all()).await.expect("count"), 210);

            // More rows than one statement takes: a transaction around
            // them (on PostgreSQL one COPY up to 100,000 rows).
            let n = 40_000;
            let (inserted, statements, control) =
                counted(Reading::bulk_insert(db, (1_000..1_000 + n).map(reading))).await;
            assert_eq!(inserted.expect("large"), n as u64);
            let expected = match dialect {
                Dialect::Postgres => (1, 0),
                // 32,766 binds of 3 values a row: 10,922 rows a statement.
                Dialect::Sqlite => (4, 2),
                // 1,000 rows a statement, and `max_allowed_packet` read
                // first: 40,000 rows pass the bytes any server takes
                // without asking.
                _ => (41, 2),
            };
            assert_eq!((statements, control), expected, "{dialect}");
            t
        },
    )
    .await;
}
