//! Metrics through the `metrics` facade (cargo feature `metrics`): the
//! application installs the exporter (Prometheus, StatsD, …). Without the
//! feature every function here is empty and [`ON`] is `false`.
//!
//! | name | kind | labels |
//! |---|---|---|
//! | `entable_statements_total` | counter | `db_system`, `table`, `operation`, `outcome` |
//! | `entable_statement_duration_seconds` | histogram | `db_system`, `table`, `operation`, `outcome` |
//! | `entable_rows_read_total` | counter | `db_system`, `table` |
//! | `entable_rows_written_total` | counter | `db_system`, `table`, `operation` |
//! | `entable_transactions_total` | counter | `db_system`, `outcome` (`commit`, `rollback`) |
//! | `entable_transaction_retries_total` | counter | `db_system` |
//! | `entable_pool_acquire_seconds` | histogram | `db_system` |
//! | `entable_pool_connections` | gauge | `db_system`, `state` (`idle`, `in_use`) |
//! | `entable_pool_waiting` | gauge | `db_system` |
//!
//! Label values are bounded: the backend, a table named in the SQL text
//! (`none` when it names none), the verb from a fixed list, the outcome
//! `ok` or an error kind from a fixed list ([`Error::kind`](crate::Error::kind)).
//! Never SQL text or values.

use std::time::Duration;

/// Whether this build reports metrics.
pub(crate) const ON: bool = cfg!(feature = "metrics");

/// One statement's end.
#[cfg(feature = "metrics")]
pub(crate) fn statement(
    system: &'static str,
    text: &str,
    control: bool,
    rows: Option<u64>,
    error: Option<&'static str>,
    duration: Duration,
) {
    use super::shape;
    let operation = shape::verb(text);
    let table = shape::table(text).unwrap_or("none").to_owned();
    let outcome = error.unwrap_or("ok");
    let labels = [
        ("db_system", system.to_owned()),
        ("table", table.clone()),
        ("operation", operation.to_owned()),
        ("outcome", outcome.to_owned()),
    ];
    metrics::counter!("entable_statements_total", &labels).increment(1);
    metrics::histogram!("entable_statement_duration_seconds", &labels)
        .record(duration.as_secs_f64());
    if let Some(rows) = rows.filter(|_| !control && error.is_none()) {
        match operation {
            "SELECT" => metrics::counter!("entable_rows_read_total", "db_system" => system, "table" => table)
                .increment(rows),
            "INSERT" | "UPDATE" | "DELETE" | "REPLACE" | "COPY" => metrics::counter!(
                "entable_rows_written_total",
                "db_system" => system,
                "table" => table,
                "operation" => operation
            )
            .increment(rows),
            _ => {}
        }
    }
    if control && error.is_none() {
        let outcome = match text {
            "COMMIT" => "commit",
            "ROLLBACK" => "rollback",
            _ => return,
        };
        metrics::counter!("entable_transactions_total", "db_system" => system, "outcome" => outcome)
            .increment(1);
    }
}

/// One statement's end (no `metrics` feature: nothing).
#[cfg(not(feature = "metrics"))]
#[inline(always)]
pub(crate) fn statement(
    _system: &'static str,
    _text: &str,
    _control: bool,
    _rows: Option<u64>,
    _error: Option<&'static str>,
    _duration: Duration,
) {
}

/// A transaction run again by `run_tx`.
pub(crate) fn retry(system: &'static str) {
    #[cfg(feature = "metrics")]
    metrics::counter!("entable_transaction_retries_total", "db_system" => system).increment(1);
    let _ = system;
}

/// A connection taken from the pool after `wait`, and the pool's state
/// then.
pub(crate) fn acquired(system: &'static str, wait: Duration, stats: super::PoolStats) {
    #[cfg(feature = "metrics")]
    {
        metrics::histogram!("entable_pool_acquire_seconds", "db_system" => system)
            .record(wait.as_secs_f64());
        metrics::gauge!("entable_pool_connections", "db_system" => system, "state" => "idle")
            .set(f64::from(stats.idle));
        metrics::gauge!("entable_pool_connections", "db_system" => system, "state" => "in_use")
            .set(f64::from(stats.size.saturating_sub(stats.idle)));
        metrics::gauge!("entable_pool_waiting", "db_system" => system)
            .set(f64::from(stats.waiting));
    }
    let _ = (system, wait, stats);
}
