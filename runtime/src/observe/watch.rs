//! Watched blocks: [`Watch::run`] and [`observe`](super::observe). A
//! watched block collects the statements it sends (its own task's only)
//! and looks for N+1 patterns among them.

use std::collections::HashMap;
use std::future::Future;
use std::panic::Location;
use std::sync::{Arc, Mutex, PoisonError};

use super::record::{Log, Statement};
use super::shape::ShapeId;

tokio::task_local! {
    static WATCH: Arc<Watching>;
}

/// How N+1 patterns are reported: the same read (one statement shape)
/// sent by `threshold` repository calls of one watched block, each call
/// sending it again. Statements of one call (bulk chunks, `get_many`
/// batches, the levels of an eager load) count once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NPlusOne {
    /// Calls sending one read shape before it is reported. At least 2.
    pub threshold: u32,
    /// Fail the call that reaches the threshold with
    /// [`Error::NPlusOne`](crate::Error::NPlusOne), before its statement
    /// is sent, instead of a WARN event. For tests and CI.
    pub strict: bool,
}

impl NPlusOne {
    /// A WARN event (target `entable::n_plus_one`) once per shape when
    /// `threshold` calls have sent it.
    pub const fn warn(threshold: u32) -> NPlusOne {
        NPlusOne {
            threshold: if threshold < 2 { 2 } else { threshold },
            strict: false,
        }
    }

    /// [`Error::NPlusOne`](crate::Error::NPlusOne) for the call that
    /// reaches `threshold`.
    pub const fn strict(threshold: u32) -> NPlusOne {
        NPlusOne {
            strict: true,
            ..NPlusOne::warn(threshold)
        }
    }
}

impl Default for NPlusOne {
    /// [`NPlusOne::warn`]`(5)`.
    fn default() -> Self {
        NPlusOne::warn(5)
    }
}

/// A watched block's settings: whether it keeps a [`Log`] of its
/// statements, and how it reports N+1 patterns.
///
/// ```
/// use entable::observe::{NPlusOne, Watch};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> entable::Result<()> {
/// let db = entable::Db::connect("sqlite::memory:").await?;
/// let (answer, log) = Watch::new()
///     .collect()
///     .n_plus_one(NPlusOne::strict(5))
///     .run(entable::RawSql::new("SELECT 1").execute(&db))
///     .await;
/// answer?;
/// assert_eq!(log.count(), 1);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Watch {
    collect: bool,
    n_plus_one: Option<NPlusOne>,
}

impl Watch {
    /// A block that keeps nothing and reports nothing (add what it
    /// should do).
    pub fn new() -> Watch {
        Watch::default()
    }

    /// Keep every statement in the returned [`Log`].
    pub fn collect(mut self) -> Watch {
        self.collect = true;
        self
    }

    /// Report N+1 patterns.
    pub fn n_plus_one(mut self, n_plus_one: NPlusOne) -> Watch {
        self.n_plus_one = Some(n_plus_one);
        self
    }

    /// Runs `block` watched; its output and the log of its statements
    /// (empty unless [`collect`](Self::collect)ed). Watched blocks nest:
    /// an outer block's log has the inner block's statements too. Tasks
    /// `block` spawns are not watched (their statements are not in the
    /// log): a block sees its own task's statements only, so concurrent
    /// blocks never see each other's.
    pub async fn run<F: Future>(self, block: F) -> (F::Output, Log) {
        let watching = Arc::new(Watching {
            collect: self.collect,
            log: Mutex::new(Vec::new()),
            n_plus_one: self.n_plus_one,
            seen: Mutex::new(HashMap::new()),
            parent: WATCH.try_with(Arc::clone).ok(),
        });
        let out = WATCH.scope(Arc::clone(&watching), block).await;
        let statements = std::mem::take(&mut *lock(&watching.log));
        (out, Log { statements })
    }
}

pub(crate) struct Watching {
    collect: bool,
    log: Mutex<Vec<Statement>>,
    n_plus_one: Option<NPlusOne>,
    seen: Mutex<HashMap<ShapeId, Repeats>>,
    parent: Option<Arc<Watching>>,
}

/// How often one read shape was sent, by how many calls.
#[derive(Default)]
struct Repeats {
    calls: u32,
    last_call: u64,
    reported: bool,
}

/// A shape past its N+1 threshold, in strict mode.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Repeated {
    pub(crate) shape: ShapeId,
    pub(crate) calls: u32,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Only pushes and counts happen under these locks: a panic cannot
    // leave them half done.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether the running task is inside a watched block.
pub(crate) fn active() -> bool {
    WATCH.try_with(|_| ()).is_ok()
}

/// Adds `statement` to the log of every collecting block around the task.
pub(crate) fn record(statement: Statement) {
    let _ = WATCH.try_with(|watching| {
        let mut block = Some(watching);
        while let Some(watching) = block {
            if watching.collect {
                lock(&watching.log).push(statement.clone());
            }
            block = watching.parent.as_ref();
        }
    });
}

/// Counts a read of `shape` by call `call`, in the innermost block that
/// looks for N+1 patterns: a WARN event the first time a shape reaches the
/// threshold; in strict mode, the shape and count instead, for the call to
/// fail with.
pub(crate) fn repeat(
    shape: ShapeId,
    call: u64,
    text: &str,
    entity: &'static str,
    operation: &'static str,
    caller: Option<&'static Location<'static>>,
) -> Option<Repeated> {
    WATCH
        .try_with(|watching| {
            let mut block = Some(watching);
            while let Some(watching) = block {
                if let Some(settings) = watching.n_plus_one {
                    return count(
                        watching, settings, shape, call, text, entity, operation, caller,
                    );
                }
                block = watching.parent.as_ref();
            }
            None
        })
        .ok()
        .flatten()
}

#[allow(clippy::too_many_arguments)]
fn count(
    watching: &Watching,
    settings: NPlusOne,
    shape: ShapeId,
    call: u64,
    text: &str,
    entity: &'static str,
    operation: &'static str,
    caller: Option<&'static Location<'static>>,
) -> Option<Repeated> {
    let mut seen = lock(&watching.seen);
    let repeats = seen.entry(shape).or_default();
    if repeats.calls > 0 && repeats.last_call == call {
        return None;
    }
    repeats.calls += 1;
    repeats.last_call = call;
    if repeats.calls < settings.threshold || repeats.reported {
        return None;
    }
    let calls = repeats.calls;
    repeats.reported = true;
    if settings.strict {
        return Some(Repeated { shape, calls });
    }
    tracing::event!(
        target: "entable::n_plus_one",
        tracing::Level::WARN,
        shape = %shape,
        calls,
        entity,
        operation,
        caller = caller.map(tracing::field::display),
        db.query.text = text,
        "N+1: the same read ran once per call in {calls} calls; load the rows at once with \
         get_many or an eager load (.with(…))",
    );
    None
}
