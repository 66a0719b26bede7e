//! A decimal's scale changed by migration: the stored values keep their
//! value (more decimals) or are rounded half away from zero (fewer), on
//! every backend; on SQLite, whose columns hold the value times 10^scale,
//! the rebuild rescales the integers.

use super::*;

mod scale_v1 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "prices")]
    pub struct Price {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        pub amount: Numeric<8, 2>,
    }
    tables!(Price);
}

mod scale_v2 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "prices")]
    pub struct Price {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        pub amount: Numeric<9, 3>,
    }
    tables!(Price);
}

mod scale_v3 {
    use entable::prelude::*;
    #[derive(Entity, Debug, Clone)]
    #[entity(table = "prices")]
    pub struct Price {
        #[entity(primary_key, auto_increment)]
        pub id: i64,
        pub amount: Numeric<8, 1>,
    }
    tables!(Price);
}

fn amounts_follow_the_scale(
    t: &TestDb,
    version: usize,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<String>> + Send + '_>> {
    Box::pin(async move {
        let db = &t.db;
        let got: Vec<String> = match version {
            1 => {
                for text in ["12.34", "-0.05", "99999.99", "0.01"] {
                    let input = scale_v1::PriceCreate {
                        amount: text.parse().expect("fits 8,2"),
                    };
                    if let Err(e) = scale_v1::Price::create(db, input).await {
                        return vec![format!("insert {text}: {e}")];
                    }
                }
                return Vec::new();
            }
            2 => match scale_v2::Price::query()
                .order_by(scale_v2::Price::ID.asc())
                .all(db)
                .await
            {
                Ok(rows) => rows.iter().map(|r| r.amount.to_string()).collect(),
                Err(e) => return vec![format!("read: {e}")],
            },
            // Another statement than v2's: PostgreSQL refuses to run a
            // statement prepared before the column's type changed ("cached
            // plan must not change result type"), which is not what this
            // test is about.
            _ => match scale_v3::Price::query()
                .order_by(scale_v3::Price::ID.asc())
                .limit(100)
                .all(db)
                .await
            {
                Ok(rows) => rows.iter().map(|r| r.amount.to_string()).collect(),
                Err(e) => return vec![format!("read: {e}")],
            },
        };
        let want: &[&str] = if version == 2 {
            &["12.340", "-0.050", "99999.990", "0.010"]
        } else {
            &["12.3", "-0.1", "100000.0", "0.0"]
        };
        if got == want {
            Vec::new()
        } else {
            vec![format!("amounts {got:?}, expected {want:?}")]
        }
    })
}

#[tokio::test]
async fn decimal_scale_change_rescales_stored_values() {
    let problems = evolve(
        "decimal_scale",
        vec![
            v(scale_v1::tables(), &[]),
            v(scale_v2::tables(), &[]),
            v(scale_v3::tables(), &[]),
        ],
        true,
        amounts_follow_the_scale,
    )
    .await;
    report("decimal scale change", &problems);
}
