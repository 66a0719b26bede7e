//! What a caller is told when things fail: handled errors inside a
//! transaction, lost connections, stalls against timeouts, lost `COMMIT`
//! answers, and a storm of injected network faults, each outcome checked
//! on a second connection. The network faults come from the TCP proxy in
//! `support::proxy`, so they apply to PostgreSQL and MariaDB; SQLite runs
//! in-process and has no connection to cut (those tests say so).

mod network;
mod storm;

use std::time::Duration;

use entable::PoolConfig;
use entable::audit::AuditLog;
use entable::prelude::*;

use crate::support::TestDb;
use crate::support::proxy::Proxy;

/// Audited: every committed change has its record, written in the
/// change's transaction.
#[derive(Entity, Debug, Clone)]
#[entity(audit)]
pub struct Ledger {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique, max_length = 60)]
    pub name: String,
    pub amount: i64,
}

/// Plain: one statement per change.
#[derive(Entity, Debug, Clone)]
pub struct Marker {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(unique, max_length = 60)]
    pub name: String,
}

async fn schema(db: &Db) {
    Schema::of(vec![Ledger::table(), Marker::table()])
        .expect("schema")
        .create_all(db)
        .await
        .expect("created");
}

fn ledger(name: &str) -> LedgerCreate {
    LedgerCreate {
        name: name.into(),
        amount: 1,
    }
}

fn marker(name: &str) -> MarkerCreate {
    MarkerCreate { name: name.into() }
}

/// The ledger names present, read on `db` (a connection that saw no fault).
async fn ledger_names(db: &Db) -> Vec<String> {
    let mut names: Vec<String> = Ledger::query()
        .all(db)
        .await
        .expect("read back")
        .into_iter()
        .map(|l| l.name)
        .collect();
    names.sort();
    names
}

/// How many audit records name the ledger row called `name` (by its key).
async fn records_of(db: &Db, name: &str) -> usize {
    let Some(row) = Ledger::find(db, Ledger::NAME.eq(name))
        .await
        .expect("find")
        .pop()
    else {
        return 0;
    };
    AuditLog::query()
        .key::<Ledger>(&row.id)
        .all(db)
        .await
        .expect("log")
        .len()
}

/// A pool on `t`'s database through a fresh proxy, with `timeout`.
async fn through_proxy(t: &TestDb, timeout: Duration) -> (Proxy, Db) {
    let (proxy, url) = Proxy::in_front_of(&t.url()).await;
    let config = PoolConfig {
        max_connections: 4,
        // A connection being opened when a stall hits waits this long.
        acquire_timeout: Duration::from_secs(1),
        statement_timeout: Some(timeout),
        ..PoolConfig::default()
    };
    let db = Db::connect_with(&url, config)
        .await
        .expect("through the proxy");
    (proxy, db)
}
