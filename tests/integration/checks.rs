//! CHECK constraints (issue 18, item 5): the database enforces what the
//! entity declares. An enum column refuses a label its `DbEnum` does not
//! have, written by raw SQL; a field check and a struct check refuse rows
//! through the repository with `Error::CheckViolation` naming the
//! declared constraint; drift reports a check dropped by hand. Every test
//! runs on PostgreSQL, MariaDB and SQLite.

use entable::Error;
use entable::backend::Dialect;
use entable::prelude::*;
use entable::schema::{Schema, drift};

use crate::support::{TestDb, on_every_backend};

#[derive(DbEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    #[db_enum(rename = "in-progress")]
    InProgress,
    #[db_enum(rename = "3-day")]
    ThreeDay,
    #[db_enum(rename = "it's done")]
    Done,
}

#[derive(Entity, Debug, Clone)]
#[entity(
    table = "ck_orders",
    check(name = "ck_order_dates", sql = "shipped_at >= ordered_at")
)]
pub struct Order {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub stage: Stage,
    pub next_stage: Option<Stage>,
    #[entity(check = "price >= 0")]
    pub price: i64,
    pub ordered_at: i64,
    pub shipped_at: Option<i64>,
}

async fn schema(t: &TestDb) -> Schema {
    let schema = Schema::of([Order::table()]).expect("schema");
    schema.create_all(&t.db).await.expect("created");
    schema
}

fn order(price: i64, shipped_at: Option<i64>) -> OrderCreate {
    OrderCreate {
        stage: Stage::ThreeDay,
        next_stage: None,
        price,
        ordered_at: 10,
        shipped_at,
    }
}

/// The constraint a driver error names: PostgreSQL tells it apart,
/// MariaDB and SQLite in the message.
fn refused_by(error: &entable::Error) -> (bool, String) {
    let Some(entable::sqlx::Error::Database(db)) = error.driver_error() else {
        panic!("expected a database error, got {error:?}");
    };
    (
        db.kind() == entable::sqlx::error::ErrorKind::CheckViolation,
        db.constraint()
            .map(str::to_owned)
            .unwrap_or_else(|| db.message().to_owned()),
    )
}

/// Whether `named` (a constraint, or a message) names exactly `name`:
/// PostgreSQL gives the constraint, MariaDB writes ``CONSTRAINT `name`
/// failed``, SQLite `CHECK constraint failed: name`.
fn names(named: &str, name: &str) -> bool {
    named == name
        || named.contains(&format!("`{name}`"))
        || named.ends_with(&format!("failed: {name}"))
}

#[tokio::test]
async fn an_enum_label_written_by_hand_is_refused() {
    on_every_backend("an_enum_label_written_by_hand_is_refused", |t| async move {
        schema(&t).await;
        let db = &t.db;
        let insert = r#"INSERT INTO "ck_orders" ("stage", "next_stage", "price", "ordered_at") VALUES (?, ?, 1, 1)"#;
        // Every label, quotes and all, and NULL in the nullable column.
        for label in ["in-progress", "3-day", "it's done"] {
            crate::exec!(*db, insert, label.to_owned(), None::<String>).expect("a declared label");
        }
        crate::exec!(*db, insert, "3-day".to_owned(), Some("it's done".to_owned())).expect("nullable enum");
        for (bad, bad_next) in [
            ("done", None),
            ("In-Progress", None),
            ("3-day", Some("3 day")),
        ] {
            let error = crate::exec!(*db, insert, bad.to_owned(), bad_next.map(str::to_owned)).expect_err("not a label");
            let (is_check, named) = refused_by(&error);
            assert!(is_check, "{}: {error}", t.dialect);
            let column = if bad_next.is_some() {
                "next_stage"
            } else {
                "stage"
            };
            assert!(
                names(&named, &format!("ck_ck_orders_{column}")),
                "{}: {named}",
                t.dialect
            );
        }
        // Read back through the entity: only declared labels are there.
        assert_eq!(Order::count(db, Expr::all()).await.expect("count"), 4);
        t
    })
    .await;
}

#[track_caller]
fn assert_check(error: &Error, name: &str, operation: &str) {
    match error {
        Error::CheckViolation {
            constraint,
            context,
            ..
        } => {
            assert_eq!(constraint.as_deref(), Some(name), "{error}");
            assert_eq!((context.entity, context.operation), ("Order", operation));
        }
        other => panic!("expected CheckViolation {name}, got {other:?}"),
    }
}

#[tokio::test]
async fn field_and_struct_checks_refuse_rows_by_name() {
    on_every_backend(
        "field_and_struct_checks_refuse_rows_by_name",
        |t| async move {
            schema(&t).await;
            let db = &t.db;
            let error = Order::create(db, order(-1, None))
                .await
                .expect_err("negative price");
            assert_check(&error, "ck_ck_orders_price", "create");
            let error = Order::create(db, order(5, Some(9)))
                .await
                .expect_err("shipped before ordered");
            assert_check(&error, "ck_order_dates", "create");
            assert_eq!(Order::count(db, Expr::all()).await.expect("count"), 0);

            let row = Order::create(db, order(0, Some(10)))
                .await
                .expect("edges pass");
            let error = Order::update(
                db,
                row.id,
                OrderUpdate {
                    price: entable::dto::Patch::Set(-5),
                    ..Default::default()
                },
            )
            .await
            .expect_err("update to a negative price");
            assert_check(&error, "ck_ck_orders_price", "update");
            // NULL passes a CHECK: unknown is not false.
            let row = Order::create(db, order(1, None)).await.expect("unshipped");
            assert_eq!(row.shipped_at, None);
            t
        },
    )
    .await;
}

#[tokio::test]
async fn drift_reports_a_check_dropped_by_hand() {
    on_every_backend("drift_reports_a_check_dropped_by_hand", |t| async move {
        let schema = schema(&t).await;
        let db = &t.db;
        assert_eq!(drift(db, &schema).await.expect("drift"), []);
        match t.dialect {
            Dialect::Sqlite => {
                // SQLite drops no constraint: the table is made again
                // without it, as a hand-made change would.
                let create = schema.create_statements(Dialect::Sqlite);
                let without = create[0].replace(
                    ",\n  CONSTRAINT \"ck_ck_orders_price\" CHECK (price >= 0)",
                    "",
                );
                assert_ne!(without, create[0]);
                db.execute_ddl(&[r#"DROP TABLE "ck_orders""#.to_owned(), without])
                    .await
                    .expect("recreated");
            }
            _ => {
                crate::exec!(
                    *db,
                    r#"ALTER TABLE "ck_orders" DROP CONSTRAINT "ck_ck_orders_price""#
                )
                .expect("dropped");
                crate::exec!(
                    *db,
                    r#"ALTER TABLE "ck_orders" ADD CONSTRAINT "ck_by_hand" CHECK (ordered_at > 0)"#
                )
                .expect("added");
            }
        }
        let found: Vec<String> = drift(db, &schema)
            .await
            .expect("drift")
            .iter()
            .map(ToString::to_string)
            .collect();
        let mut want = vec![
            "check ck_ck_orders_price on ck_orders: missing from the database (the entities declare it)"
                .to_owned(),
        ];
        if t.dialect != Dialect::Sqlite {
            want.push("check ck_by_hand on ck_orders: in the database, not in the entities".into());
        }
        assert_eq!(found, want, "{}", t.dialect);
        t
    })
    .await;
}

/// A schema without checks writes the snapshot it wrote before checks
/// existed (no `checks` key); one with checks lists them.
#[test]
fn snapshots_without_checks_are_unchanged() {
    use entable::schema::snapshot::Snapshot;

    #[derive(Entity, Debug)]
    #[entity(table = "ck_plain")]
    pub struct Plain {
        #[entity(primary_key)]
        pub id: i64,
        pub name: String,
    }

    let plain = Snapshot::of(&Schema::of([Plain::table()]).expect("schema")).to_json();
    assert!(!plain.contains("checks"), "{plain}");
    let back = Snapshot::from_json(&plain).expect("reads back");
    assert!(back.tables[0].checks.is_empty());
    let checked = Snapshot::of(&Schema::of([Order::table()]).expect("schema"));
    let names: Vec<&str> = checked.tables[0]
        .checks
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "ck_ck_orders_stage",
            "ck_ck_orders_next_stage",
            "ck_ck_orders_price",
            "ck_order_dates"
        ]
    );
    assert_eq!(
        checked.tables[0].checks[0].sql.mysql,
        "`stage` IN ('in-progress', '3-day', 'it''s done')"
    );
    assert_eq!(
        Snapshot::from_json(&checked.to_json()).expect("reads back"),
        checked
    );
}
