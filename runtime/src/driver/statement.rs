//! The one path every statement entable sends takes: repository calls,
//! eager loads, bulk paths, audit rows, hooks' statements. What must see
//! every statement is written here, once, around the driver's call.

use futures_core::Stream;

use super::{Backend, ColumnValue, Done, DriverError, SqlText};

/// Reports `sql` as a `tracing` event (target `entable::statement`,
/// level DEBUG) before it is sent: what a subscriber, or a test counting
/// statements, sees of every statement. Values are never recorded.
fn seen<B: Backend>(sql: &SqlText) {
    tracing::event!(
        target: "entable::statement",
        tracing::Level::DEBUG,
        db.system.name = B::DIALECT.system_name(),
        db.query.text = sql.as_str(),
    );
}

/// Reports a transaction-control statement as [`seen`] does, marked
/// `entable.control = true`: a subscriber (or a test) tells `BEGIN`,
/// `COMMIT`, `ROLLBACK` and savepoints from the work between them.
fn seen_control<B: Backend>(verb: &str) {
    tracing::event!(
        target: "entable::statement",
        tracing::Level::DEBUG,
        db.system.name = B::DIALECT.system_name(),
        db.query.text = verb,
        entable.control = true,
    );
}

/// Opens a transaction on `conn` (`statement` replaces the plain `BEGIN`),
/// or a savepoint when one is open.
pub async fn begin<B: Backend>(
    conn: &mut B::Conn,
    statement: Option<SqlText>,
) -> Result<(), DriverError> {
    seen_control::<B>(match (B::transaction_depth(conn), &statement) {
        (0, None) => "BEGIN",
        (0, Some(text)) => text.as_str(),
        _ => "SAVEPOINT",
    });
    B::begin(conn, statement).await
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
    seen_control::<B>(ending::<B>(conn, "COMMIT", "RELEASE SAVEPOINT"));
    B::commit(conn).await
}

/// Rolls the innermost open level back.
pub async fn rollback<B: Backend>(conn: &mut B::Conn) -> Result<(), DriverError> {
    seen_control::<B>(ending::<B>(conn, "ROLLBACK", "ROLLBACK TO SAVEPOINT"));
    B::rollback(conn).await
}

/// Runs a statement that returns no rows.
pub async fn execute<B: Backend>(
    conn: &mut B::Conn,
    sql: impl Into<SqlText>,
    args: B::Args,
) -> Result<Done, DriverError> {
    let sql = sql.into();
    seen::<B>(&sql);
    B::execute(conn, sql, args).await
}

/// Runs a statement; its first row, if any.
pub async fn fetch_optional<B: Backend>(
    conn: &mut B::Conn,
    sql: impl Into<SqlText>,
    args: B::Args,
) -> Result<Option<B::Row>, DriverError> {
    let sql = sql.into();
    seen::<B>(&sql);
    B::fetch_optional(conn, sql, args).await
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
    let sql = sql.into();
    seen::<B>(&sql);
    B::fetch_all(conn, sql, args).await
}

/// Runs a statement; its rows as they arrive.
pub fn fetch<'c, B: Backend>(
    conn: &'c mut B::Conn,
    sql: impl Into<SqlText>,
    args: B::Args,
) -> impl Stream<Item = Result<B::Row, DriverError>> + Send + 'c {
    let sql = sql.into();
    seen::<B>(&sql);
    B::fetch(conn, sql, args)
}

/// Runs SQL without bound values (DDL, several statements at once).
pub async fn execute_script<B: Backend>(
    conn: &mut B::Conn,
    sql: impl Into<SqlText>,
) -> Result<(), DriverError> {
    let sql = sql.into();
    seen::<B>(&sql);
    B::execute_script(conn, sql).await
}

/// Sends a binary `COPY` stream (PostgreSQL).
pub async fn copy_in<B: Backend>(
    conn: &mut B::Conn,
    statement: String,
    data: Vec<u8>,
) -> Result<u64, DriverError> {
    // One copy of a short text per bulk call.
    seen::<B>(&SqlText::Owned(statement.clone()));
    B::copy_in(conn, statement, data).await
}
