//! A storm of network faults: operations of every kind run through the
//! proxy while a fault (a cut, a stall, a held `COMMIT` request or answer)
//! is injected at a random moment, and each outcome is checked on a second
//! connection that saw no fault:
//! - `Ok` means everything the operation wrote is there, with its audit
//!   records;
//! - an error inside an explicit transaction (other than `CommitUnknown`)
//!   means nothing of it is there;
//! - otherwise (a lost answer to a single statement or `COMMIT`), all of it
//!   or none of it is there, never part;
//! - every error is typed: retryable (nothing committed in a transaction),
//!   `TxAborted` or `CommitUnknown`;
//! - the pool recovers: the operation after each fault runs normally.
//!
//! `ENTABLE_FAULTS` (default 500) sets the faults per server backend.

use std::time::Duration;

use entable::audit::AuditLog;
use entable::backend::Dialect;
use entable::prelude::*;
use entable::{Error, Isolation, Tx, TxOptions};

use super::{Ledger, Marker, ledger, marker, schema, through_proxy};
use crate::support::proxy::{OnCommit, Proxy};
use crate::support::rng::Rng;
use crate::support::{TestDb, announce, on_every_backend};

#[derive(Clone, Copy, Debug)]
enum Op {
    /// An audited create: its own transaction, row and record together.
    AuditedCreate,
    /// A plain create: one statement.
    PlainCreate,
    /// An explicit transaction: an audited row and a plain one.
    Transaction,
    /// An audited bulk insert of ten rows.
    Bulk,
}

#[derive(Clone, Copy, Debug)]
enum Fault {
    Cut,
    Stall,
    HoldAnswer,
    HoldRequest,
}

fn inject(proxy: &Proxy, fault: Fault) {
    match fault {
        Fault::Cut => proxy.cut(),
        Fault::Stall => proxy.stall(),
        Fault::HoldAnswer => proxy.on_commit(OnCommit::HoldAnswer),
        Fault::HoldRequest => proxy.on_commit(OnCommit::HoldRequest),
    }
}

/// Runs `op` number `i` on `db`; the names it writes (ledger, marker).
async fn run(db: &Db, op: Op, i: u64) -> (entable::Result<()>, Vec<String>, Vec<String>) {
    match op {
        Op::AuditedCreate => {
            let name = format!("a{i}");
            let out = Ledger::create(db, ledger(&name)).await.map(drop);
            (out, vec![name], vec![])
        }
        Op::PlainCreate => {
            let name = format!("p{i}");
            let out = Marker::create(db, marker(&name)).await.map(drop);
            (out, vec![], vec![name])
        }
        Op::Transaction => {
            let (l, m) = (format!("t{i}"), format!("t{i}"));
            let (l2, m2) = (l.clone(), m.clone());
            let out = db
                .transaction(|tx: Tx| async move {
                    Ledger::create(&tx, ledger(&l2)).await?;
                    Marker::create(&tx, marker(&m2)).await?;
                    Ok::<_, Error>(())
                })
                .await;
            (out, vec![l], vec![m])
        }
        Op::Bulk => {
            let names: Vec<String> = (0..10).map(|k| format!("b{i}_{k}")).collect();
            let out = Ledger::bulk_insert(db, names.iter().map(|n| ledger(n)))
                .await
                .map(drop);
            (out, names, vec![])
        }
    }
}

/// How many of `ledgers` and `markers` are there, checked on `direct` in
/// one snapshot (a commit that lands while we look must not show half of
/// itself); and every ledger row in the table has its audit record, and no
/// record is without its row.
async fn present(direct: &Db, ledgers: &[String], markers: &[String]) -> (usize, usize) {
    let snapshot = direct
        .begin_with(TxOptions::isolation(Isolation::RepeatableRead))
        .await
        .expect("snapshot");
    let mut found = 0;
    for name in ledgers {
        found += Ledger::find(&snapshot, Ledger::NAME.eq(name.as_str()))
            .await
            .expect("find")
            .len();
    }
    let mut marked = 0;
    for name in markers {
        marked += Marker::find(&snapshot, Marker::NAME.eq(name.as_str()))
            .await
            .expect("find")
            .len();
    }
    let rows = Ledger::count(&snapshot, Expr::all()).await.expect("rows");
    let records = AuditLog::query()
        .resource::<Ledger>()
        .all(&snapshot)
        .await
        .expect("log")
        .len();
    assert_eq!(
        rows, records as u64,
        "every row has its audit record, and only those"
    );
    snapshot.rollback().await.expect("end of snapshot");
    (found, marked)
}

#[tokio::test]
async fn faults_never_report_a_wrong_outcome() {
    on_every_backend("faults_never_report_a_wrong_outcome", |t: TestDb| async move {
        if t.dialect == Dialect::Sqlite {
            announce("faults_never_report_a_wrong_outcome: not applicable on sqlite (no connection to fault)");
            return t;
        }
        let faults: u64 = std::env::var("ENTABLE_FAULTS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(500);
        schema(&t.db).await;
        let (proxy, db) = through_proxy(&t, Duration::from_millis(150)).await;
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut failed, mut unknown, mut ok) = (0u64, 0u64, 0u64);
        let started = std::time::Instant::now();
        for i in 0..faults {
            let op = [Op::AuditedCreate, Op::PlainCreate, Op::Transaction, Op::Bulk][rng.below(4)];
            let fault = match rng.below(20) {
                0..=13 => Fault::Cut,
                14..=15 => Fault::Stall,
                16..=17 => Fault::HoldAnswer,
                _ => Fault::HoldRequest,
            };
            let delay = Duration::from_micros(rng.below(3_000) as u64);
            let ((outcome, ledgers, markers), ()) = tokio::join!(run(&db, op, i), async {
                tokio::time::sleep(delay).await;
                inject(&proxy, fault);
            });
            // Whatever the fault left behind goes; the next operation
            // starts on fresh connections.
            proxy.cut();
            let (found, marked) = present(&t.db, &ledgers, &markers).await;
            let all = found == ledgers.len() && marked == markers.len();
            let none = found == 0 && marked == 0;
            match &outcome {
                Ok(()) => {
                    ok += 1;
                    assert!(all, "#{i} {op:?}/{fault:?}: Ok but {found}/{} {marked}/{}", ledgers.len(), markers.len());
                }
                Err(error) => {
                    assert!(
                        error.is_retryable()
                            || matches!(error, Error::TxAborted { .. } | Error::CommitUnknown { .. }),
                        "#{i} {op:?}/{fault:?}: an untyped error: {error:?}"
                    );
                    let definite = matches!(op, Op::Transaction) && !matches!(error, Error::CommitUnknown { .. });
                    if definite {
                        failed += 1;
                        assert!(none, "#{i} {op:?}/{fault:?}: {error} but {found} {marked} written");
                    } else {
                        unknown += 1;
                        assert!(all || none, "#{i} {op:?}/{fault:?}: {error} left part written");
                    }
                }
            }
        }
        // The pool recovers once the network does.
        Marker::create(&db, marker("after the storm")).await.expect("recovered");
        announce(&format!(
            "faults_never_report_a_wrong_outcome on {}: {faults} faults injected in {:.1} s; {ok} calls Ok, {failed} failed for sure, {unknown} of open outcome (all or nothing checked)",
            t.dialect,
            started.elapsed().as_secs_f64()
        ));
        drop(proxy);
        db.close().await;
        t
    })
    .await;
}
