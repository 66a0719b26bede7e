//! Counting the statements one call sends, through the tracing event
//! entable emits for each (target `entable::statement`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts the statements entable sends inside a span named
/// `entable_count`: entable reports each statement as a tracing event with
/// target `entable::statement`, on the thread running the call, inside the
/// caller's span. So the count covers exactly the statements of the
/// instrumented call, whatever other tests run at the same time.
/// Transaction control (`BEGIN`, `COMMIT`, savepoints: events marked
/// `entable.control`) is counted apart, in the counter of
/// [`StatementCounter::span_with_control`].
#[derive(Default)]
pub struct StatementCounter {
    next_id: std::sync::atomic::AtomicU64,
    counters: std::sync::Mutex<std::collections::HashMap<u64, Arc<AtomicUsize>>>,
    control: std::sync::Mutex<std::collections::HashMap<u64, Arc<AtomicUsize>>>,
    /// Span metadata, so `Span::current()` (which sqlx hands to SQLite's
    /// worker) can be answered.
    spans: std::sync::Mutex<std::collections::HashMap<u64, &'static tracing::Metadata<'static>>>,
    /// Captures by the id of their root span.
    captures: std::sync::Mutex<std::collections::HashMap<u64, Arc<Capture>>>,
    /// Captured spans: span id → (its capture, its index there).
    captured: std::sync::Mutex<std::collections::HashMap<u64, (Arc<Capture>, usize)>>,
}

/// The spans and events entable emitted inside a capture's root span.
#[derive(Default, Debug)]
pub struct Capture {
    pub spans: std::sync::Mutex<Vec<Captured>>,
    pub events: std::sync::Mutex<Vec<Captured>>,
}

/// One span or event: its name (span) or message (event), target, level
/// and fields as text.
#[derive(Clone, Debug, Default)]
pub struct Captured {
    pub name: String,
    pub target: String,
    pub level: String,
    pub fields: std::collections::BTreeMap<String, String>,
}

impl Captured {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

impl Capture {
    pub fn spans_named(&self, name: &str) -> Vec<Captured> {
        let spans = self.spans.lock().expect("spans");
        spans.iter().filter(|s| s.name == name).cloned().collect()
    }
    pub fn events_of(&self, target: &str) -> Vec<Captured> {
        let events = self.events.lock().expect("events");
        events
            .iter()
            .filter(|e| e.target == target)
            .cloned()
            .collect()
    }
}

struct Fields<'a>(&'a mut std::collections::BTreeMap<String, String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

thread_local! {
    static ENTERED: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

static COUNTER: std::sync::OnceLock<&'static StatementCounter> = std::sync::OnceLock::new();

impl StatementCounter {
    pub fn global() -> &'static StatementCounter {
        COUNTER.get_or_init(|| {
            let counter: &'static StatementCounter = Box::leak(Box::default());
            let _ = tracing::dispatcher::set_global_default(tracing::Dispatch::new(counter));
            counter
        })
    }

    /// A span whose statements are counted into the returned counter.
    pub fn span(&self) -> (tracing::Span, Arc<AtomicUsize>) {
        let span = tracing::span!(tracing::Level::ERROR, "entable_count");
        let count = counter_for(&self.counters, &span);
        (span, count)
    }

    /// A span whose entable spans and events are captured.
    pub fn capture(&self) -> (tracing::Span, Arc<Capture>) {
        let span = tracing::span!(tracing::Level::ERROR, "entable_count");
        let capture = Arc::new(Capture::default());
        if let Some(id) = span.id() {
            self.captures
                .lock()
                .expect("capture lock")
                .insert(id.into_u64(), capture.clone());
        }
        (span, capture)
    }

    /// The capture of the innermost capturing span entered on this thread.
    fn capturing(&self) -> Option<Arc<Capture>> {
        let captures = self.captures.lock().expect("capture lock");
        ENTERED.with(|entered| {
            entered
                .borrow()
                .iter()
                .rev()
                .find_map(|id| captures.get(id).cloned())
        })
    }

    /// [`span`](Self::span), with a second counter of the transaction
    /// control statements sent inside it.
    pub fn span_with_control(&self) -> (tracing::Span, Arc<AtomicUsize>, Arc<AtomicUsize>) {
        let (span, count) = self.span();
        let control = counter_for(&self.control, &span);
        (span, count, control)
    }
}

/// A new counter in `counters` for `span`'s events.
fn counter_for(
    counters: &std::sync::Mutex<std::collections::HashMap<u64, Arc<AtomicUsize>>>,
    span: &tracing::Span,
) -> Arc<AtomicUsize> {
    let count = Arc::new(AtomicUsize::new(0));
    if let Some(id) = span.id() {
        counters
            .lock()
            .expect("counter lock")
            .insert(id.into_u64(), count.clone());
    }
    count
}

/// Whether an event carries `entable.control = true`.
#[derive(Default)]
struct IsControl(bool);

impl tracing::field::Visit for IsControl {
    fn record_bool(&mut self, field: &tracing::field::Field, value: bool) {
        if field.name() == "entable.control" {
            self.0 = value;
        }
    }
    fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
}

impl tracing::Subscriber for &'static StatementCounter {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target().starts_with("entable::") || metadata.name() == "entable_count"
    }
    fn new_span(&self, attributes: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst) + 1;
        self.spans
            .lock()
            .expect("span lock")
            .insert(id, attributes.metadata());
        if attributes.metadata().target().starts_with("entable::")
            && let Some(capture) = self.capturing()
        {
            let mut span = Captured {
                name: attributes.metadata().name().to_owned(),
                target: attributes.metadata().target().to_owned(),
                level: attributes.metadata().level().to_string(),
                ..Captured::default()
            };
            attributes.record(&mut Fields(&mut span.fields));
            let mut spans = capture.spans.lock().expect("spans");
            spans.push(span);
            let at = spans.len() - 1;
            drop(spans);
            self.captured
                .lock()
                .expect("captured lock")
                .insert(id, (capture, at));
        }
        tracing::span::Id::from_u64(id)
    }
    fn current_span(&self) -> tracing_core::span::Current {
        let top = ENTERED.with(|entered| entered.borrow().last().copied());
        let spans = self.spans.lock().expect("span lock");
        match top.and_then(|id| spans.get(&id).map(|metadata| (id, *metadata))) {
            Some((id, metadata)) => {
                tracing_core::span::Current::new(tracing::span::Id::from_u64(id), metadata)
            }
            None => tracing_core::span::Current::none(),
        }
    }
    fn record(&self, id: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let captured = self.captured.lock().expect("captured lock");
        if let Some((capture, at)) = captured.get(&id.into_u64()) {
            let mut spans = capture.spans.lock().expect("spans");
            values.record(&mut Fields(&mut spans[*at].fields));
        }
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if let Some(capture) = self.capturing() {
            let mut captured = Captured {
                target: event.metadata().target().to_owned(),
                level: event.metadata().level().to_string(),
                ..Captured::default()
            };
            event.record(&mut Fields(&mut captured.fields));
            captured.name = captured.fields.get("message").cloned().unwrap_or_default();
            capture.events.lock().expect("events").push(captured);
        }
        if event.metadata().target() != "entable::statement" {
            return;
        }
        let mut control = IsControl::default();
        event.record(&mut control);
        let counters = if control.0 {
            self.control.lock().expect("control lock")
        } else {
            self.counters.lock().expect("counter lock")
        };
        ENTERED.with(|entered| {
            if let Some(count) = entered
                .borrow()
                .iter()
                .rev()
                .find_map(|id| counters.get(id))
            {
                count.fetch_add(1, Ordering::SeqCst);
            }
        });
    }
    fn enter(&self, id: &tracing::span::Id) {
        ENTERED.with(|entered| entered.borrow_mut().push(id.into_u64()));
    }
    fn exit(&self, id: &tracing::span::Id) {
        ENTERED.with(|entered| {
            let mut entered = entered.borrow_mut();
            if let Some(at) = entered.iter().rposition(|e| *e == id.into_u64()) {
                entered.remove(at);
            }
        });
    }
}
