//! Sixteen concurrent writers doing read-modify-write on one versioned,
//! audited row: no accepted write is lost, none is applied twice, the
//! version counts them, and the audit log holds exactly the committed
//! changes, in order, on every backend.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use entable::audit::{AuditAction, AuditLog};
use entable::dto::Patch;
use entable::prelude::*;
use entable::{Error, Repo};

use crate::support::{TestDb, announce, on_every_backend};

#[derive(Entity, Debug, Clone)]
#[entity(audit)]
pub struct Tally {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub counter: i64,
    #[entity(version)]
    pub version: i64,
}

const WRITERS: usize = 16;
const WRITES_EACH: usize = 25;
/// Attempts allowed for one write before the test gives up: a writer that
/// loses this often is starved, which is a failure too.
const MAX_ATTEMPTS: usize = 2_000;

/// One accepted increment: re-reads and retries on a version conflict (a
/// write in between) and on a retryable error (SQLite's busy writer lock,
/// a deadlock); returns the counter it wrote and how many attempts lost.
async fn increment(db: &Db, id: i64) -> Result<(i64, usize), Error> {
    for lost in 0..MAX_ATTEMPTS {
        let attempt = async {
            let read = Tally::get(db, id).await?.expect("the row exists");
            let patch = TallyUpdate {
                counter: Patch::Set(read.counter + 1),
                version: read.version,
            };
            Tally::update(db, id, patch).await
        };
        match attempt.await {
            Ok(written) => return Ok((written.counter, lost)),
            Err(Error::Conflict { .. }) => tokio::task::yield_now().await,
            Err(error) if error.is_retryable() => {
                tokio::time::sleep(Duration::from_millis(1 + (lost % 5) as u64)).await
            }
            Err(other) => return Err(other),
        }
    }
    panic!("one write lost {MAX_ATTEMPTS} times in a row");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_audited_writers_agree_with_the_log() {
    on_every_backend(
        "concurrent_audited_writers_agree_with_the_log",
        |t: TestDb| async move {
            let db = &t.db;
            let dialect = t.dialect;
            Schema::of(vec![Tally::table()])
                .expect("schema")
                .create_all(db)
                .await
                .expect("created");
            let id = Tally::create(db, TallyCreate { counter: 0 })
                .await
                .expect("created")
                .id;
            let started = Instant::now();
            let written = Arc::new(Mutex::new(Vec::new()));
            let writers: Vec<_> = (0..WRITERS)
                .map(|_| {
                    let (db, written) = (db.clone(), written.clone());
                    tokio::spawn(async move {
                        let mut lost = 0;
                        for _ in 0..WRITES_EACH {
                            let (counter, retries) = increment(&db, id).await?;
                            written.lock().expect("not poisoned").push(counter);
                            lost += retries;
                        }
                        Ok::<_, Error>(lost)
                    })
                })
                .collect();
            let mut lost = 0;
            for writer in writers {
                lost += writer.await.expect("task").expect("no other error");
            }
            let accepted = WRITERS * WRITES_EACH;
            announce(&format!(
                "concurrency on {dialect}: {accepted} accepted writes, {lost} lost attempts, {:.1} s",
                started.elapsed().as_secs_f64()
            ));

            // Every accepted write wrote the next value: each of 1..=N once.
            let mut values = written.lock().expect("not poisoned").clone();
            values.sort_unstable();
            let expected: Vec<i64> = (1..=accepted as i64).collect();
            assert_eq!(values, expected, "{dialect}: accepted writes");

            let last = Tally::get(db, id).await.expect("get").expect("row");
            assert_eq!(last.counter, accepted as i64, "{dialect}: counter");
            // Versions start at 1; every accepted write raised it once.
            assert_eq!(last.version, 1 + accepted as i64, "{dialect}: version");

            // The log: the create, then one update per accepted write, in
            // commit order, each from the value before to the one after.
            let records = AuditLog::query().key::<Tally>(&id).all(db).await.expect("log");
            assert_eq!(records.len(), 1 + accepted, "{dialect}: one record per change");
            assert_eq!(records[0].action, AuditAction::Create);
            for (i, record) in records[1..].iter().enumerate() {
                assert_eq!(record.action, AuditAction::Update, "{dialect}: record {i}");
                let old = record.old_values.as_ref().expect("old values");
                let new = record.new_values.as_ref().expect("new values");
                assert_eq!(old["counter"], i as i64, "{dialect}: record {i}");
                assert_eq!(new["counter"], i as i64 + 1, "{dialect}: record {i}");
            }
            t
        },
    )
    .await;
}
