//! The metrics entable reports (cargo feature `metrics`), read from a
//! recorder installed for the test binary.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use entable::prelude::*;
use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};

use crate::support::{TestDb, on_every_backend};

#[derive(Entity, Debug, Clone)]
pub struct Meter {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub reading: i32,
}

#[derive(Default)]
struct Cell {
    count: AtomicU64,
    samples: Mutex<Vec<f64>>,
}

impl metrics::CounterFn for Cell {
    fn increment(&self, value: u64) {
        self.count.fetch_add(value, Ordering::SeqCst);
    }
    fn absolute(&self, value: u64) {
        self.count.store(value, Ordering::SeqCst);
    }
}

impl metrics::GaugeFn for Cell {
    fn increment(&self, _: f64) {}
    fn decrement(&self, _: f64) {}
    fn set(&self, value: f64) {
        self.samples.lock().expect("samples").push(value);
    }
}

impl metrics::HistogramFn for Cell {
    fn record(&self, value: f64) {
        self.samples.lock().expect("samples").push(value);
    }
}

/// Every metric by its name and sorted labels (`name{a=1,b=2}`).
#[derive(Default)]
struct Captured(Mutex<HashMap<String, Arc<Cell>>>);

impl Captured {
    fn cell(&self, key: &Key) -> Arc<Cell> {
        let mut labels: Vec<String> = key
            .labels()
            .map(|l| format!("{}={}", l.key(), l.value()))
            .collect();
        labels.sort();
        let name = format!("{}{{{}}}", key.name(), labels.join(","));
        self.0
            .lock()
            .expect("metrics")
            .entry(name)
            .or_default()
            .clone()
    }

    fn count(&self, name: &str) -> u64 {
        self.0
            .lock()
            .expect("metrics")
            .get(name)
            .map_or(0, |c| c.count.load(Ordering::SeqCst))
    }

    fn samples(&self, name: &str) -> usize {
        self.0
            .lock()
            .expect("metrics")
            .get(name)
            .map_or(0, |c| c.samples.lock().expect("samples").len())
    }
}

struct Shared(&'static Captured);

impl Recorder for Shared {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(self.0.cell(key))
    }
    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::from_arc(self.0.cell(key))
    }
    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(self.0.cell(key))
    }
}

fn recorder() -> &'static Captured {
    static CAPTURED: OnceLock<&'static Captured> = OnceLock::new();
    CAPTURED.get_or_init(|| {
        let captured: &'static Captured = Box::leak(Box::default());
        metrics::set_global_recorder(Shared(captured)).expect("the only recorder");
        captured
    })
}

#[tokio::test]
async fn statements_rows_transactions_and_the_pool_are_counted() {
    let metrics = recorder();
    on_every_backend(
        "statements_rows_transactions_and_the_pool_are_counted",
        move |t: TestDb| async move {
            let db = &t.db;
            Schema::of([Meter::table()])
                .expect("schema")
                .create_all(db)
                .await
                .expect("created");
            let system = t.dialect.system_name();
            let key = |name: &str, rest: &str| format!("{name}{{db_system={system}{rest}}}");
            let selects = key(
                "entable_statements_total",
                ",operation=SELECT,outcome=ok,table=meter",
            );
            let read = key("entable_rows_read_total", ",table=meter");
            let written = key(
                "entable_rows_written_total",
                ",operation=INSERT,table=meter",
            );
            let commits = key("entable_transactions_total", ",outcome=commit");
            let before = (
                metrics.count(&selects),
                metrics.count(&read),
                metrics.count(&written),
                metrics.count(&commits),
            );

            let rows = (0..10).map(|reading| MeterCreate { reading });
            Meter::bulk_insert(db, rows).await.expect("inserted");
            let tx = db.begin().await.expect("begin");
            assert_eq!(
                Meter::find(&tx, Expr::all()).await.expect("found").len(),
                10
            );
            tx.commit().await.expect("commit");
            assert_eq!(
                Meter::find(db, Meter::READING.lt(3))
                    .await
                    .expect("found")
                    .len(),
                3
            );

            assert_eq!(metrics.count(&selects) - before.0, 2, "{system}");
            assert_eq!(metrics.count(&read) - before.1, 13, "{system}");
            assert_eq!(metrics.count(&written) - before.2, 10, "{system}");
            // Other tests commit too: at least this one.
            assert!(metrics.count(&commits) > before.3, "{system}");
            let durations = key(
                "entable_statement_duration_seconds",
                ",operation=SELECT,outcome=ok,table=meter",
            );
            assert!(metrics.samples(&durations) >= 2);
            assert!(metrics.samples(&key("entable_pool_acquire_seconds", "")) > 0);
            assert!(metrics.samples(&key("entable_pool_connections", ",state=idle")) > 0);
            t
        },
    )
    .await;
}
