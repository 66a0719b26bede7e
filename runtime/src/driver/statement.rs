//! The one path every statement entable sends takes: repository calls,
//! eager loads, bulk paths, audit rows, hooks' statements. What must see
//! every statement is written here, once, around the driver's call.

use futures_core::Stream;
use tracing::Instrument as _;

use super::probe::Probe;
use super::{Backend, ColumnValue, Done, DriverError, SqlText};

/// Sends `sql` with `send`, watched when anything watches (see
/// [`probe`](super::probe)); `rows` reads the row count from the answer.
async fn sent<B: Backend, T, F>(
    sql: SqlText,
    control: bool,
    send: impl FnOnce(SqlText) -> F,
    rows: impl FnOnce(&T) -> Option<u64>,
) -> Result<T, DriverError>
where
    F: std::future::Future<Output = Result<T, DriverError>>,
{
    match Probe::start(B::DIALECT.system_name(), sql, control)? {
        (None, sql) => send(sql).await,
        (Some(probe), sql) => {
            let out = send(sql).instrument(probe.span()).await;
            probe.finish(out.as_ref().map(rows));
            out
        }
    }
}

/// Opens a transaction on `conn` (`statement` replaces the plain `BEGIN`),
/// or a savepoint when one is open.
pub async fn begin<B: Backend>(
    conn: &mut B::Conn,
    statement: Option<SqlText>,
) -> Result<(), DriverError> {
    let shown = match (B::transaction_depth(conn), &statement) {
        (0, None) => SqlText::Static("BEGIN"),
        (0, Some(text)) => text.clone(),
        _ => SqlText::Static("SAVEPOINT"),
    };
    sent::<B, _, _>(shown, true, |_| B::begin(conn, statement), |_| None).await
}

/// `outer` when the innermost open level is the transaction itself,
/// `savepoint` when it is a savepoint.
fn ending<B: Backend>(
    conn: &B::Conn,
    outer: &'static str,
    savepoint: &'static str,
) -> &'static str {
    if B::transaction_depth(conn) > 1 {
        savepoint
    } else {
        outer
    }
}

/// Commits the innermost open level (a savepoint is released).
pub async fn commit<B: Backend>(conn: &mut B::Conn) -> Result<(), DriverError> {
    let shown = ending::<B>(conn, "COMMIT", "RELEASE SAVEPOINT");
    sent::<B, _, _>(shown.into(), true, |_| B::commit(conn), |_| None).await
}

/// Rolls the innermost open level back.
pub async fn rollback<B: Backend>(conn: &mut B::Conn) -> Result<(), DriverError> {
    let shown = ending::<B>(conn, "ROLLBACK", "ROLLBACK TO SAVEPOINT");
    sent::<B, _, _>(shown.into(), true, |_| B::rollback(conn), |_| None).await
}

/// Runs a statement that returns no rows.
pub async fn execute<B: Backend>(
    conn: &mut B::Conn,
    sql: impl Into<SqlText>,
    args: B::Args,
) -> Result<Done, DriverError> {
    sent::<B, _, _>(
        sql.into(),
        false,
        |sql| B::execute(conn, sql, args),
        |done: &Done| Some(done.rows_affected),
    )
    .await
}

/// Runs a statement; its first row, if any.
pub async fn fetch_optional<B: Backend>(
    conn: &mut B::Conn,
    sql: impl Into<SqlText>,
    args: B::Args,
) -> Result<Option<B::Row>, DriverError> {
    sent::<B, _, _>(
        sql.into(),
        false,
        |sql| B::fetch_optional(conn, sql, args),
        |row: &Option<B::Row>| Some(u64::from(row.is_some())),
    )
    .await
}

/// Runs a statement that returns a row; no row is `RowNotFound`.
pub async fn fetch_one<B: Backend>(
    conn: &mut B::Conn,
    sql: impl Into<SqlText>,
    args: B::Args,
) -> Result<B::Row, DriverError> {
    fetch_optional::<B>(conn, sql, args)
        .await?
        .ok_or(DriverError::RowNotFound)
}

/// [`fetch_one`] for a statement of the transaction machinery (the
/// identity of a transaction read before its `COMMIT`): reported as
/// transaction control, like `BEGIN` and `COMMIT`.
pub async fn fetch_one_control<B: Backend>(
    conn: &mut B::Conn,
    sql: &'static str,
    args: B::Args,
) -> Result<B::Row, DriverError> {
    sent::<B, _, _>(
        SqlText::Static(sql),
        true,
        |sql| B::fetch_optional(conn, sql, args),
        |row: &Option<B::Row>| Some(u64::from(row.is_some())),
    )
    .await?
    .ok_or(DriverError::RowNotFound)
}

/// Runs a statement that returns one value (a count, a setting).
pub async fn fetch_scalar<B: Backend, T: ColumnValue<B>>(
    conn: &mut B::Conn,
    sql: impl Into<SqlText>,
    args: B::Args,
) -> Result<T, DriverError> {
    let row = fetch_one::<B>(conn, sql, args).await?;
    T::decode(&row, 0)
}

/// Runs a statement; all its rows.
pub async fn fetch_all<B: Backend>(
    conn: &mut B::Conn,
    sql: impl Into<SqlText>,
    args: B::Args,
) -> Result<Vec<B::Row>, DriverError> {
    sent::<B, _, _>(
        sql.into(),
        false,
        |sql| B::fetch_all(conn, sql, args),
        |rows: &Vec<B::Row>| u64::try_from(rows.len()).ok(),
    )
    .await
}

/// Runs a statement; its rows as they arrive. A watched stream reports
/// its statement when it ends or is dropped, with the rows read so far.
pub fn fetch<'c, B: Backend>(
    conn: &'c mut B::Conn,
    sql: impl Into<SqlText>,
    args: B::Args,
) -> impl Stream<Item = Result<B::Row, DriverError>> + Send + 'c {
    let rows: RowStream<'c, B::Row> =
        match Probe::start(B::DIALECT.system_name(), sql.into(), false) {
            Err(refused) => Box::pin(futures_util::stream::once(std::future::ready(Err(refused)))),
            Ok((None, sql)) => Box::pin(B::fetch(conn, sql, args)),
            Ok((Some(probe), sql)) => Box::pin(Watched {
                rows: Box::pin(B::fetch(conn, sql, args)),
                probe: Some(probe),
                count: 0,
            }),
        };
    rows
}

type RowStream<'c, R> = std::pin::Pin<Box<dyn Stream<Item = Result<R, DriverError>> + Send + 'c>>;

/// A stream of rows whose statement is watched: reported at its end, its
/// first error, or when dropped before either.
struct Watched<'c, R> {
    rows: RowStream<'c, R>,
    probe: Option<Probe>,
    count: u64,
}

impl<R> Stream for Watched<'_, R> {
    type Item = Result<R, DriverError>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let this = &mut *self;
        let span = this.probe.as_ref().map(Probe::span);
        let _entered = span.as_ref().map(tracing::Span::enter);
        let next = this.rows.as_mut().poll_next(cx);
        match &next {
            std::task::Poll::Ready(Some(Ok(_))) => this.count += 1,
            std::task::Poll::Ready(Some(Err(e))) => {
                if let Some(probe) = this.probe.take() {
                    probe.finish(Err(e));
                }
            }
            std::task::Poll::Ready(None) => {
                if let Some(probe) = this.probe.take() {
                    probe.finish(Ok(Some(this.count)));
                }
            }
            std::task::Poll::Pending => {}
        }
        next
    }
}

impl<R> Drop for Watched<'_, R> {
    fn drop(&mut self) {
        if let Some(probe) = self.probe.take() {
            probe.finish(Ok(Some(self.count)));
        }
    }
}

/// Runs SQL without bound values (DDL, several statements at once).
pub async fn execute_script<B: Backend>(
    conn: &mut B::Conn,
    sql: impl Into<SqlText>,
) -> Result<(), DriverError> {
    sent::<B, _, _>(
        sql.into(),
        false,
        |sql| B::execute_script(conn, sql),
        |_| None,
    )
    .await
}

/// Sends a binary `COPY` stream (PostgreSQL).
pub async fn copy_in<B: Backend>(
    conn: &mut B::Conn,
    statement: String,
    data: Vec<u8>,
) -> Result<u64, DriverError> {
    // The statement travels as a `String`: taken back from the probe.
    sent::<B, _, _>(
        statement.into(),
        false,
        |sql| B::copy_in(conn, sql.as_str().to_owned(), data),
        |rows: &u64| Some(*rows),
    )
    .await
}
