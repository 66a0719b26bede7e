//! Memory bounds of the operations that touch many rows: streaming a
//! query, `bulk_insert` from an iterator, and `bulk_insert` of an audited
//! entity. A counting global allocator records the peak of live heap bytes
//! above the baseline taken just before each operation; each test asserts
//! a bound independent of the row count, and a slope (the peak at N rows
//! against N/4) where the CI count is below a million.
//!
//! `ENTABLE_MEMORY_ROWS=1000000` runs every test at a million rows; the
//! defaults keep the binary within a few minutes of a debug build on three
//! backends. Memory allocated by C code (SQLite's own page cache) is not
//! seen by the Rust allocator and not counted.

#![allow(dead_code)]

#[path = "integration/support/mod.rs"]
mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use entable::prelude::*;
use futures_util::TryStreamExt;

use support::{TestDb, announce, on_every_backend};

/// `System`, counting the live bytes and their peak.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

impl Counting {
    fn grew(by: usize) {
        let now = CURRENT.fetch_add(by, Ordering::Relaxed) + by;
        PEAK.fetch_max(now, Ordering::Relaxed);
    }

    fn shrank(by: usize) {
        CURRENT.fetch_sub(by, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded to `System` unchanged; the counters
// only observe the sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on to `System`.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            Counting::grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            Counting::grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as `alloc`.
        unsafe { System.dealloc(ptr, layout) };
        Counting::shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as `alloc`.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                Counting::grew(new_size - layout.size());
            } else {
                Counting::shrank(layout.size() - new_size);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Live heap bytes now.
fn current() -> usize {
    CURRENT.load(Ordering::Relaxed)
}

/// The most live heap bytes since the last [`reset_peak`].
fn peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// Starts a new peak from the bytes live now.
fn reset_peak() {
    PEAK.store(current(), Ordering::Relaxed);
}

/// One test measures at a time: the counters are process-wide, and libtest
/// runs tests on several threads.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const MIB: f64 = 1024.0 * 1024.0;

/// What one measured operation took.
#[derive(Debug, Clone, Copy)]
struct Measured {
    /// Peak live heap above the baseline, in bytes.
    peak: usize,
    elapsed: Duration,
}

impl Measured {
    fn mib(self) -> f64 {
        self.peak as f64 / MIB
    }
}

/// Runs `work`, measuring the peak of live heap bytes above what was live
/// when it began, and announces it.
async fn measure<T>(
    what: &str,
    dialect: entable::backend::Dialect,
    rows: usize,
    work: impl Future<Output = T>,
) -> (T, Measured) {
    let base = current();
    reset_peak();
    let started = Instant::now();
    let out = work.await;
    let measured = Measured {
        peak: peak().saturating_sub(base),
        elapsed: started.elapsed(),
    };
    announce(&format!(
        "memory: {what} on {dialect}: {rows} rows, peak {:.2} MiB above baseline, {:.1} s",
        measured.mib(),
        measured.elapsed.as_secs_f64()
    ));
    (out, measured)
}

/// `ENTABLE_MEMORY_ROWS`, else `default`.
fn rows(default: usize) -> usize {
    std::env::var("ENTABLE_MEMORY_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A pool on the test's database without a statement timeout: a
/// million-row call in a debug build may take longer than the default.
async fn pool(t: &TestDb) -> Db {
    let config = entable::PoolConfig {
        statement_timeout: None,
        ..Default::default()
    };
    Db::connect_with(&t.url(), config).await.expect("pool")
}

/// Not audited, no validation rules.
#[derive(Entity, Debug, Clone)]
pub struct MemRow {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub code: String,
    pub n: i64,
    pub note: Option<String>,
}

/// The same row, audited.
#[derive(Entity, Debug, Clone)]
#[entity(audit)]
pub struct MemAudited {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    pub code: String,
    pub n: i64,
    pub note: Option<String>,
}

fn mem_row(i: usize) -> MemRowCreate {
    MemRowCreate {
        code: format!("code-{i:09}"),
        n: i as i64,
        note: i.is_multiple_of(3).then(|| format!("note {i}")),
    }
}

fn mem_audited(i: usize) -> MemAuditedCreate {
    MemAuditedCreate {
        code: format!("code-{i:09}"),
        n: i as i64,
        note: i.is_multiple_of(3).then(|| format!("note {i}")),
    }
}

// Bounds, about twice the figures measured at a million rows (2026-11-24,
// debug build; docs/benchmarks.md, "Memory").

/// `bulk_insert` of plain rows from an iterator: PostgreSQL collects a
/// chunk of 100,000 rows for each `COPY` (18 MiB measured), the others
/// stream rows into statements (under 2 MiB).
const INSERT_BOUND_MIB: f64 = 32.0;
/// Streaming a query: a few dozen decoded rows in flight (0.04 MiB
/// measured); collecting a million rows would take over 50 MiB.
const STREAM_BOUND_MIB: f64 = 4.0;
/// An audited `bulk_insert`: one chunk of 10,000 rows, their stored copies
/// and their audit records (13 to 15 MiB measured, at 25,000 rows as at a
/// million).
const AUDITED_BOUND_MIB: f64 = 32.0;

/// The peak at N rows may not grow with N: at most this factor of the peak
/// at N/4 (plus a MiB of noise). Collecting every row would make it ~4.
const SLOPE: f64 = 1.5;

/// Asserts that `large` (at `n` rows) is not proportional to the row count
/// against `small` (at `n / 4`).
fn assert_flat(what: &str, dialect: entable::backend::Dialect, small: Measured, large: Measured) {
    assert!(
        large.mib() <= small.mib() * SLOPE + 1.0,
        "{what} on {dialect}: peak {:.1} MiB at N against {:.1} MiB at N/4 grows with the rows",
        large.mib(),
        small.mib()
    );
}

#[tokio::test]
async fn memory_bulk_insert_and_stream() {
    let _serial = SERIAL.lock().await;
    on_every_backend("memory_bulk_insert_and_stream", |t: TestDb| async move {
        let db = pool(&t).await;
        let dialect = t.dialect;
        Schema::of(vec![MemRow::table()])
            .expect("schema")
            .create_all(&db)
            .await
            .expect("created");
        let n = rows(1_000_000);
        let (inserted, insert) = measure(
            "bulk_insert",
            dialect,
            n,
            MemRow::bulk_insert(&db, (0..n).map(mem_row)),
        )
        .await;
        assert_eq!(inserted.expect("inserted"), n as u64);
        let (seen, stream) = measure("stream", dialect, n, async {
            let mut stream = MemRow::query().stream(&db);
            let (mut count, mut sum) = (0usize, 0i64);
            while let Some(row) = stream.try_next().await.expect("row") {
                count += 1;
                sum += row.n;
            }
            (count, sum)
        })
        .await;
        assert_eq!(seen, (n, (0..n as i64).sum()));
        assert!(
            insert.mib() < INSERT_BOUND_MIB,
            "bulk_insert on {dialect}: {:.1} MiB",
            insert.mib()
        );
        assert!(
            stream.mib() < STREAM_BOUND_MIB,
            "stream on {dialect}: {:.1} MiB",
            stream.mib()
        );
        db.close().await;
        t
    })
    .await;
}

#[tokio::test]
async fn memory_audited_bulk_insert() {
    let _serial = SERIAL.lock().await;
    on_every_backend("memory_audited_bulk_insert", |t: TestDb| async move {
        let db = pool(&t).await;
        let dialect = t.dialect;
        Schema::of(vec![MemAudited::table()])
            .expect("schema")
            .create_all(&db)
            .await
            .expect("created");
        let n = rows(100_000);
        let quarter = n / 4;
        let (inserted, small) = measure(
            "audited bulk_insert",
            dialect,
            quarter,
            MemAudited::bulk_insert(&db, (0..quarter).map(mem_audited)),
        )
        .await;
        assert_eq!(inserted.expect("inserted"), quarter as u64);
        let (inserted, large) = measure(
            "audited bulk_insert",
            dialect,
            n,
            MemAudited::bulk_insert(&db, (quarter..quarter + n).map(mem_audited)),
        )
        .await;
        assert_eq!(inserted.expect("inserted"), n as u64);
        let records = crate::scalar!(db, i64, r#"SELECT COUNT(*) FROM "entable_audit""#)
            .expect("audit count")
            .expect("one row");
        assert_eq!(
            records,
            (quarter + n) as i64,
            "{dialect}: one record per row"
        );
        assert!(
            large.mib() < AUDITED_BOUND_MIB,
            "audited bulk_insert on {dialect}: {:.1} MiB",
            large.mib()
        );
        assert_flat("audited bulk_insert", dialect, small, large);
        db.close().await;
        t
    })
    .await;
}
