//! What the statement path does around each statement when anything is
//! watching: a span, the timing, rows and outcome, the slow-statement
//! warning, the N+1 check, metrics and the statement observer. When
//! nothing is (no subscriber for `entable`, no watched block, no
//! threshold, no metrics), [`Probe::start`] answers `None` after a few
//! thread-local and callsite checks and the statement is sent bare.

use std::sync::Arc;
use std::time::Instant;

use crate::observe::site::{self, Current};
use crate::observe::{self, ShapeId, Statement, kind, shape, watch};

use super::{DriverError, SqlText};

/// An N+1 check's refusal, as a driver error: the operation around it
/// turns it into [`Error::NPlusOne`](crate::Error::NPlusOne).
#[derive(Debug)]
struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("refused by the N+1 check")
    }
}

impl std::error::Error for Refused {}

/// One statement being watched.
pub(super) struct Probe {
    start: Instant,
    span: tracing::Span,
    current: Current,
    system: &'static str,
    control: bool,
    text: Arc<str>,
}

fn debug_enabled() -> bool {
    tracing::enabled!(target: "entable::statement", tracing::Level::DEBUG)
}

impl Probe {
    /// Starts watching `sql` (taking it, and handing back the text to
    /// send), or `None` with `sql` untouched when nothing watches.
    /// `Err` when the N+1 check refuses the statement.
    pub(super) fn start(
        system: &'static str,
        sql: SqlText,
        control: bool,
    ) -> Result<(Option<Probe>, SqlText), DriverError> {
        let current = site::current();
        let watched = watch::active();
        let span = tracing::info_span!(
            target: "entable::statement",
            "entable.statement",
            otel.name = tracing::field::Empty,
            db.system.name = system,
            db.operation.name = tracing::field::Empty,
            db.collection.name = tracing::field::Empty,
            db.query.text = tracing::field::Empty,
            entable.entity = current.context.entity,
            entable.shape = tracing::field::Empty,
            entable.control = control,
            db.response.returned_rows = tracing::field::Empty,
            entable.duration_us = tracing::field::Empty,
            error.type = tracing::field::Empty,
        );
        if !watched
            && current.slow.is_none()
            && span.is_disabled()
            && !observe::metrics::ON
            && !debug_enabled()
        {
            return Ok((None, sql));
        }
        let (sql, text) = match sql {
            SqlText::Static(s) => (SqlText::Static(s), Arc::<str>::from(s)),
            SqlText::Owned(s) => {
                let text: Arc<str> = s.into();
                (SqlText::Shared(Arc::clone(&text)), text)
            }
            SqlText::Shared(text) => (SqlText::Shared(Arc::clone(&text)), text),
        };
        if watched
            && !control
            && current.framed
            && let Some(call) = current.call
            && shape::verb(&text) == "SELECT"
            && let Some(repeated) = watch::repeat(
                ShapeId::of(&text),
                call,
                &text,
                current.context.entity,
                current.context.operation,
                current.caller,
            )
        {
            site::report_repeated(repeated);
            return Err(DriverError::Configuration(Box::new(Refused)));
        }
        if !span.is_disabled() {
            let verb = shape::verb(&text);
            let table = shape::table(&text);
            span.record("db.operation.name", verb);
            span.record("db.collection.name", table);
            span.record("entable.shape", tracing::field::display(ShapeId::of(&text)));
            span.record(
                "otel.name",
                tracing::field::display(format_args!("{verb} {}", table.unwrap_or(system))),
            );
            if tracing::enabled!(target: "entable::statement", tracing::Level::DEBUG) {
                span.record("db.query.text", &*text);
            }
        }
        let probe = Probe {
            start: Instant::now(),
            span,
            current,
            system,
            control,
            text,
        };
        Ok((Some(probe), sql))
    }

    /// The span to run the statement in.
    pub(super) fn span(&self) -> tracing::Span {
        self.span.clone()
    }

    /// Reports the statement's end: `rows` read or affected, or its error.
    pub(super) fn finish(self, outcome: Result<Option<u64>, &DriverError>) {
        let duration = self.start.elapsed();
        let (rows, error) = match outcome {
            Ok(rows) => (rows, None),
            Err(e) => (None, Some(kind::driver_kind(e))),
        };
        let shape = ShapeId::of(&self.text);
        if !self.span.is_disabled() {
            self.span.record("db.response.returned_rows", rows);
            self.span.record(
                "entable.duration_us",
                u64::try_from(duration.as_micros()).unwrap_or(u64::MAX),
            );
            self.span.record("error.type", error);
        }
        if debug_enabled() {
            tracing::event!(
                target: "entable::statement",
                tracing::Level::DEBUG,
                db.system.name = self.system,
                db.query.text = &*self.text,
                entable.shape = %shape,
                entable.control = self.control,
                rows,
                duration_us = u64::try_from(duration.as_micros()).unwrap_or(u64::MAX),
                error.type = error,
            );
        }
        if let Some(slow) = self.current.slow
            && duration >= slow
            && !self.control
        {
            tracing::event!(
                target: "entable::slow",
                tracing::Level::WARN,
                entable.shape = %shape,
                db.collection.name = shape::table(&self.text),
                entable.entity = self.current.context.entity,
                entable.operation = self.current.context.operation,
                duration_ms = duration.as_secs_f64() * 1e3,
                threshold_ms = slow.as_secs_f64() * 1e3,
                caller = self.current.caller.map(tracing::field::display),
                db.query.text = &*self.text,
                "slow statement: {:.1} ms",
                duration.as_secs_f64() * 1e3,
            );
        }
        observe::metrics::statement(self.system, &self.text, self.control, rows, error, duration);
        if watch::active() {
            watch::record(Statement {
                text: self.text,
                shape,
                system: self.system,
                entity: self.current.context.entity,
                call: self.current.context.operation,
                duration,
                rows,
                control: self.control,
                error,
                caller: self.current.caller,
            });
        }
    }
}
