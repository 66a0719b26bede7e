//! Where a statement comes from: the application's call
//! (`#[track_caller]` on the repository API, [`located`]) and the
//! repository operation running it ([`Frame`], set by `with_conn!`).
//! Both are task-locals, set while their future is polled, so the
//! statement path reads them without any parameter being threaded
//! through the call sites.

use std::cell::Cell;
use std::future::Future;
use std::panic::Location;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tracing::Instrument as _;

use super::watch::Repeated;
use crate::error::{Context, Error, Result};

tokio::task_local! {
    static CALL: Call;
    static FRAME: Frame;
}

/// One call of the repository API by the application.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Call {
    caller: &'static Location<'static>,
    id: u64,
}

static NEXT_CALL: AtomicU64 = AtomicU64::new(1);

fn next_call() -> u64 {
    NEXT_CALL.fetch_add(1, Ordering::Relaxed)
}

/// `call` run as the application's call from where the (`#[track_caller]`)
/// function calling this was called. A call made inside another (a hook's,
/// `create_key` calling `create`) stays part of the outer one: the outer
/// caller is named, and its statements are one call's for N+1 counting.
///
/// The call's future is boxed here: repository futures are large, and
/// boxing them once keeps every future that awaits one small (a debug
/// build's test thread has a 2 MiB stack).
#[track_caller]
pub(crate) fn located<F: Future>(
    call: F,
) -> tokio::task::futures::TaskLocalFuture<Call, std::pin::Pin<Box<F>>> {
    // Read here, not in a closure: a closure's caller is not ours.
    let caller = Location::caller();
    let located = CALL.try_with(|c| *c).unwrap_or_else(|_| Call {
        caller,
        id: next_call(),
    });
    CALL.scope(located, Box::pin(call))
}

/// The repository operation a statement runs in.
pub(crate) struct Frame {
    pub(crate) context: Context,
    pub(crate) slow: Option<Duration>,
    pub(crate) call: u64,
    pub(crate) caller: Option<&'static Location<'static>>,
    /// A strict N+1 report, to become the operation's error.
    repeated: Cell<Option<Repeated>>,
}

impl Frame {
    /// The frame of an operation with `context`; `slow` is its pool's
    /// slow-statement threshold (`None` to inherit the enclosing
    /// operation's, for a hook's statements).
    pub(crate) fn new(context: Context, slow: Option<Option<Duration>>) -> Frame {
        let (call, caller) = match CALL.try_with(|c| *c) {
            Ok(call) => (call.id, Some(call.caller)),
            Err(_) => (next_call(), None),
        };
        let slow = slow.unwrap_or_else(|| FRAME.try_with(|f| f.slow).ok().flatten());
        Frame {
            context,
            slow,
            call,
            caller,
            repeated: Cell::new(None),
        }
    }
}

/// What the statement path knows of the operation around it.
#[derive(Clone, Copy)]
pub(crate) struct Current {
    pub(crate) context: Context,
    pub(crate) slow: Option<Duration>,
    pub(crate) call: Option<u64>,
    pub(crate) caller: Option<&'static Location<'static>>,
    /// Inside a repository operation (not bare transaction control).
    pub(crate) framed: bool,
}

/// The running operation, or the bare call (transaction control sent by a
/// `Tx` method).
pub(crate) fn current() -> Current {
    FRAME
        .try_with(|f| Current {
            context: f.context,
            slow: f.slow,
            call: Some(f.call),
            caller: f.caller,
            framed: true,
        })
        .unwrap_or_else(|_| {
            let call = CALL.try_with(|c| *c).ok();
            Current {
                context: Context::default(),
                slow: None,
                call: call.map(|c| c.id),
                caller: call.map(|c| c.caller),
                framed: false,
            }
        })
}

/// Keeps a strict N+1 report for the operation to fail with.
pub(crate) fn report_repeated(repeated: Repeated) {
    let _ = FRAME.try_with(|f| f.repeated.set(Some(repeated)));
}

/// Runs an operation's body in its frame, inside a span (target
/// `entable::operation`, INFO) named after the entity and operation. A
/// statement the N+1 check refused turns the body's error into
/// [`Error::NPlusOne`].
pub(crate) async fn framed<T>(
    frame: Frame,
    system: &'static str,
    body: impl Future<Output = Result<T>>,
) -> Result<T> {
    let context = frame.context;
    let caller = frame.caller;
    let span = tracing::info_span!(
        target: "entable::operation",
        "entable.operation",
        otel.name = tracing::field::Empty,
        entable.entity = context.entity,
        entable.operation = context.operation,
        db.system.name = system,
        code.file.path = caller.map(Location::file),
        code.line.number = caller.map(Location::line),
        error.type = tracing::field::Empty,
    );
    if !span.is_disabled() {
        span.record(
            "otel.name",
            tracing::field::display(format_args!("{}::{}", context.entity, context.operation)),
        );
    }
    let out = FRAME
        .scope(frame, async {
            let out = body.await;
            match (out, FRAME.with(|f| f.repeated.take())) {
                (Err(_), Some(repeated)) => Err(Error::NPlusOne {
                    context,
                    shape: repeated.shape,
                    calls: repeated.calls,
                    caller,
                }),
                (out, _) => out,
            }
        })
        .instrument(span.clone())
        .await;
    if let Err(error) = &out
        && !span.is_disabled()
    {
        span.record("error.type", error.kind());
    }
    out
}
