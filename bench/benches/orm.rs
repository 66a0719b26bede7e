//! The criterion benchmarks: every workload × size × contender on every
//! backend of `ENTABLE_BENCH_BACKENDS`, in one run, on one database per
//! backend created for the run and dropped after it.
//!
//! Benchmark ids are `<backend>/<workload>/<contender>/<size>`, so
//! `cargo bench -- postgres/1_trivial` runs one workload. The bulk line on
//! PostgreSQL also has the hand-written binary `COPY` (`sqlx-copy`).
//! `cargo run --release --bin report` turns criterion's estimates into the
//! table.

use std::time::{Duration, Instant};

use criterion::{BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, measurement::WallTime};
use entable_bench::contender::{Bulk, Contender};
use entable_bench::contenders::{Diesel, Entable, RawSqlx, SeaOrm, SqlxCopy};
use entable_bench::durability;
use entable_bench::fixture::Fixture;
use entable_bench::report;
use entable_bench::target::{Target, selected_backends};
use entable_bench::workload::{self, HAIR_COLOR, Workload};
use tokio::runtime::Runtime;

/// A benchmark can only stop on an error: this says which contender and
/// workload failed.
trait OrPanic<T> {
    fn or_panic(self, who: &str) -> T;
}

impl<T> OrPanic<T> for entable_bench::Result<T> {
    fn or_panic(self, who: &str) -> T {
        self.unwrap_or_else(|e| panic!("{who}: {e}"))
    }
}

/// What one benchmark needs: the runtime that drives the futures, the
/// fixture that seeds data, the workload and its size.
struct Bench<'a> {
    runtime: &'a Runtime,
    fixture: &'a Fixture,
    workload: Workload,
    size: usize,
}

impl Bench<'_> {
    /// Resets and seeds the data `workload` reads; panics on failure, which
    /// is what a benchmark can do with an error.
    fn prepare(&self) {
        self.runtime
            .block_on(self.fixture.prepare(self.workload, self.size))
            .unwrap_or_else(|e| panic!("seeding {}: {e}", self.workload.id()));
    }

    /// Registers the benchmark of `contender` in `group`.
    fn run<C: Contender>(&self, group: &mut BenchmarkGroup<'_, WallTime>, contender: Option<&C>) {
        let Some(contender) = contender else {
            return;
        };
        let rt = self.runtime;
        let id = BenchmarkId::new(C::NAME, self.size);
        let who = &format!("{}/{}", C::NAME, self.workload.id());
        match self.workload {
            // Reads share the data seeded once per workload and size.
            Workload::Trivial => group.bench_function(id, |b| {
                b.to_async(rt)
                    .iter(|| async { contender.all_users().await.or_panic(who) })
            }),
            Workload::ByKey => group.bench_function(id, |b| {
                let mut i = 0;
                b.to_async(rt).iter(|| {
                    i += 1;
                    let key = workload::key(i);
                    async move { contender.user_by_id(key).await.or_panic(who) }
                })
            }),
            Workload::Medium => group.bench_function(id, |b| {
                b.to_async(rt)
                    .iter(|| async { contender.users_with_posts(HAIR_COLOR).await.or_panic(who) })
            }),
            Workload::Associations => group.bench_function(id, |b| {
                b.to_async(rt)
                    .iter(|| async { contender.users_posts_comments().await.or_panic(who) })
            }),
            Workload::Search => {
                let params = workload::search_params();
                group.bench_function(id, |b| {
                    b.to_async(rt)
                        .iter(|| async { contender.search_users(&params).await.or_panic(who) })
                })
            }
            // Writes start from the same state for each contender.
            Workload::Insert => {
                self.prepare();
                let users = workload::users_to_insert(self.size);
                group.bench_function(id, |b| {
                    b.to_async(rt)
                        .iter(|| async { contender.insert_users(&users).await.or_panic(who) })
                })
            }
            Workload::Update => {
                self.prepare();
                group.bench_function(id, |b| {
                    let mut i = 0;
                    b.to_async(rt).iter(|| {
                        i += 1;
                        let (key, name) = (workload::key(i), format!("Updated {i}"));
                        async move { contender.update_user(key, &name).await.or_panic(who) }
                    })
                })
            }
            Workload::BulkInsert => {
                if let Bulk::Unsupported(_) = C::BULK {
                    // The report prints the reason instead of a figure.
                    return;
                }
                let users = workload::users_to_insert(self.size);
                self.bulk(group, C::NAME, || contender.bulk_insert_users(&users))
            }
        };
    }

    /// Registers the hand-written binary `COPY` (PostgreSQL only) on the
    /// bulk-insert line; nothing for other workloads or backends.
    fn run_copy(&self, group: &mut BenchmarkGroup<'_, WallTime>, copy: Option<&SqlxCopy>) {
        let (Workload::BulkInsert, Some(copy)) = (self.workload, copy) else {
            return;
        };
        let users = workload::users_to_insert(self.size);
        self.bulk(group, SqlxCopy::NAME, || copy.bulk_insert_users(&users));
    }

    /// Registers a bulk insert as `name`: each insert starts from an empty
    /// table; emptying it is not timed.
    fn bulk<'g, 'c, F, Fut>(
        &self,
        group: &'g mut BenchmarkGroup<'c, WallTime>,
        name: &str,
        insert: F,
    ) -> &'g mut BenchmarkGroup<'c, WallTime>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = entable_bench::Result<()>>,
    {
        let (rt, fixture) = (self.runtime, self.fixture);
        let who = &format!("{name}/{}", self.workload.id());
        group.bench_function(BenchmarkId::new(name, self.size), |b| {
            b.to_async(rt).iter_custom(|iters| {
                let insert = &insert;
                async move {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        fixture.reset().await.or_panic(who);
                        let start = Instant::now();
                        insert().await.or_panic(who);
                        total += start.elapsed();
                    }
                    total
                }
            })
        })
    }
}

/// The contenders connected to one target (Diesel may be absent; the
/// `COPY` baseline is there on PostgreSQL only).
struct Contenders {
    sqlx: RawSqlx,
    copy: Option<SqlxCopy>,
    entable: Entable,
    sea_orm: SeaOrm,
    diesel: Option<Diesel>,
}

impl Contenders {
    async fn connect(target: &Target) -> entable_bench::Result<Contenders> {
        Ok(Contenders {
            sqlx: RawSqlx::connect(target).await?.ok_or("sqlx")?,
            copy: SqlxCopy::connect(target).await?,
            entable: Entable::connect(target).await?.ok_or("entable")?,
            sea_orm: SeaOrm::connect(target).await?.ok_or("SeaORM")?,
            diesel: Diesel::connect(target).await?,
        })
    }

    /// Each contender's durability settings, in report order (the `COPY`
    /// baseline after raw sqlx), as its own connection reports them.
    async fn durability(&self) -> entable_bench::Result<durability::Table> {
        let mut table = vec![(RawSqlx::NAME.to_owned(), self.sqlx.durability().await?)];
        if let Some(copy) = &self.copy {
            table.push((SqlxCopy::NAME.to_owned(), copy.durability().await?));
        }
        table.push((Entable::NAME.to_owned(), self.entable.durability().await?));
        table.push((SeaOrm::NAME.to_owned(), self.sea_orm.durability().await?));
        if let Some(diesel) = &self.diesel {
            table.push((Diesel::NAME.to_owned(), diesel.durability().await?));
        }
        Ok(table)
    }

    async fn close(self) {
        self.sqlx.close().await;
        if let Some(copy) = self.copy {
            copy.close().await;
        }
        self.entable.close().await;
        self.sea_orm.close().await;
        if let Some(diesel) = self.diesel {
            diesel.close().await;
        }
    }
}

fn bench_target(criterion: &mut Criterion, runtime: &Runtime, target: &Target) {
    let fixture = runtime
        .block_on(Fixture::create(target))
        .unwrap_or_else(|e| panic!("{}: schema: {e}", target.backend));
    let contenders = runtime
        .block_on(Contenders::connect(target))
        .unwrap_or_else(|e| panic!("{}: connect: {e}", target.backend));
    // The settings go next to criterion's results, for the report.
    let settings = runtime
        .block_on(contenders.durability())
        .unwrap_or_else(|e| panic!("{}: durability: {e}", target.backend));
    if !durability::equal(&settings) {
        eprintln!(
            "{}: the contenders' durability differs: {settings:?}",
            target.backend
        );
    }
    durability::write(&report::criterion_dir(), target.backend, &settings)
        .unwrap_or_else(|e| panic!("{}: writing durability: {e}", target.backend));
    if contenders.diesel.is_none() {
        eprintln!(
            "{}: Diesel skipped (build with --features diesel-mysql)",
            target.backend
        );
    }
    for workload in Workload::ALL {
        let mut group = criterion.benchmark_group(format!("{}/{}", target.backend, workload.id()));
        if workload == Workload::BulkInsert {
            // Seconds per iteration: the fewest samples criterion allows.
            group.sample_size(10).sampling_mode(SamplingMode::Flat);
        }
        for &size in workload.sizes() {
            let bench = Bench {
                runtime,
                fixture: &fixture,
                workload,
                size,
            };
            bench.prepare();
            bench.run(&mut group, Some(&contenders.sqlx));
            bench.run_copy(&mut group, contenders.copy.as_ref());
            bench.run(&mut group, Some(&contenders.entable));
            bench.run(&mut group, Some(&contenders.sea_orm));
            bench.run(&mut group, contenders.diesel.as_ref());
        }
        group.finish();
    }
    runtime.block_on(async {
        contenders.close().await;
        fixture.close().await;
    });
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    // What `#[tokio::main]` gives a server: the benchmark's future runs on
    // this thread, tasks sqlx spawns (returning connections to the pool)
    // on the workers.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let backends = selected_backends().expect("ENTABLE_BENCH_BACKENDS");
    for backend in backends {
        let target = runtime
            .block_on(Target::create(backend))
            .unwrap_or_else(|e| panic!("{backend}: creating the database: {e}"));
        // Drop the database even when a benchmark panics.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            bench_target(&mut criterion, &runtime, &target)
        }));
        if let Err(e) = runtime.block_on(target.drop_database()) {
            eprintln!("{backend}: dropping the database: {e}");
        }
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    }
    criterion.final_summary();
}
