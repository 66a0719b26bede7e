//! Where a statement runs: on the pool of a [`Db`], or inside a [`Tx`].
//! Every repository operation takes an [`Exec`], which both convert into, so
//! callers never meet sqlx's executor generics.

use std::sync::Arc;

use crate::audit::AuditContext;
use crate::conn::Conn;
use crate::db::Db;
use crate::tx::Tx;

/// Where to run: `&db` (a connection from the pool, for this call only) or
/// `&tx` (inside the transaction or savepoint; `&mut tx` works too) or
/// `&mut conn` (a connection held with [`Db::acquire`]).
#[derive(Debug)]
pub enum Exec<'a> {
    /// A connection from the pool.
    Db(&'a Db),
    /// The transaction's connection.
    Tx(&'a Tx),
    /// A connection held out of the pool.
    Conn(&'a mut Conn),
    /// The connection an operation is running on, inside its transaction:
    /// what [`Hooks`](crate::Hooks) are given, so that their statements
    /// belong to the operation.
    Inner(Inner<'a>),
}

/// The connection of a running operation (see [`Exec::Inner`]).
#[derive(Debug)]
pub struct Inner<'a> {
    pub(crate) conn: InnerConn<'a>,
    /// The audit context of the operation, passed on to nested ones.
    pub(crate) audit: Option<Arc<AuditContext>>,
}

#[derive(Debug)]
pub(crate) enum InnerConn<'a> {
    #[cfg(feature = "postgres")]
    Postgres(&'a mut sqlx::PgConnection),
    #[cfg(feature = "mysql")]
    MySql(&'a mut sqlx::MySqlConnection),
    #[cfg(feature = "sqlx-sqlite")]
    Sqlite(&'a mut sqlx::SqliteConnection),
    #[cfg(feature = "rusqlite")]
    Lite(&'a mut crate::driver::lite::LiteConn),
    #[allow(dead_code)]
    Never(std::convert::Infallible, std::marker::PhantomData<&'a ()>),
}

impl<'a> Inner<'a> {
    pub(crate) fn new(conn: InnerConn<'a>, audit: Option<Arc<AuditContext>>) -> Self {
        Inner { conn, audit }
    }
}

/// A backend whose connections an operation can hand to the operations it
/// runs inside it (hooks, audit rows): the dispatch from `B` to the
/// variant of [`InnerConn`] for it.
#[doc(hidden)]
pub(crate) trait InnerExec: crate::driver::Backend {
    /// An [`Exec`] on `conn`, for the statements of an operation already
    /// running there.
    fn inner(conn: &mut Self::Conn, audit: Option<Arc<AuditContext>>) -> Exec<'_>;
}

macro_rules! inner_exec {
    ($feature:literal, $backend:ident, $variant:ident) => {
        #[cfg(feature = $feature)]
        impl InnerExec for crate::driver::$backend {
            fn inner(conn: &mut Self::Conn, audit: Option<Arc<AuditContext>>) -> Exec<'_> {
                Exec::Inner(Inner::new(InnerConn::$variant(conn), audit))
            }
        }
    };
}
inner_exec!("postgres", Pg, Postgres);
inner_exec!("mysql", MySql, MySql);
inner_exec!("sqlx-sqlite", Sqlite, Sqlite);
inner_exec!("rusqlite", Lite, Lite);

impl Exec<'_> {
    /// The dialect statements run in.
    pub fn dialect(&self) -> crate::backend::Dialect {
        match self {
            Exec::Db(db) => db.dialect(),
            Exec::Tx(tx) => tx.dialect(),
            Exec::Conn(conn) => conn.dialect(),
            Exec::Inner(inner) => match &inner.conn {
                #[cfg(feature = "postgres")]
                InnerConn::Postgres(_) => crate::backend::Dialect::Postgres,
                #[cfg(feature = "mysql")]
                InnerConn::MySql(_) => crate::backend::Dialect::MySql,
                #[cfg(feature = "sqlx-sqlite")]
                InnerConn::Sqlite(_) => crate::backend::Dialect::Sqlite,
                #[cfg(feature = "rusqlite")]
                InnerConn::Lite(_) => crate::backend::Dialect::Sqlite,
                InnerConn::Never(never, _) => match *never {},
            },
        }
    }

    /// The audit context changes made here are logged with: the one set
    /// on the transaction ([`Tx::set_audit_context`]) or passed down to a
    /// hook, else the task's ([`AuditContext::scope`]).
    pub fn audit_context(&self) -> Option<Arc<AuditContext>> {
        let own = match self {
            Exec::Tx(tx) => tx.audit_context(),
            Exec::Inner(inner) => inner.audit.clone(),
            Exec::Db(_) | Exec::Conn(_) => None,
        };
        own.or_else(AuditContext::current)
    }

    /// A shorter-lived `Exec` on the same handle or transaction, for the
    /// next statement of an operation.
    pub fn reborrow(&mut self) -> Exec<'_> {
        match self {
            Exec::Db(db) => Exec::Db(db),
            Exec::Tx(tx) => Exec::Tx(tx),
            Exec::Conn(conn) => Exec::Conn(conn),
            Exec::Inner(inner) => Exec::Inner(Inner {
                conn: match &mut inner.conn {
                    #[cfg(feature = "postgres")]
                    InnerConn::Postgres(c) => InnerConn::Postgres(c),
                    #[cfg(feature = "mysql")]
                    InnerConn::MySql(c) => InnerConn::MySql(c),
                    #[cfg(feature = "sqlx-sqlite")]
                    InnerConn::Sqlite(c) => InnerConn::Sqlite(c),
                    #[cfg(feature = "rusqlite")]
                    InnerConn::Lite(c) => InnerConn::Lite(c),
                    InnerConn::Never(never, _) => match *never {},
                },
                audit: inner.audit.clone(),
            }),
        }
    }
}

impl<'a> From<&'a Db> for Exec<'a> {
    fn from(db: &'a Db) -> Self {
        Exec::Db(db)
    }
}

impl<'a> From<&'a mut Conn> for Exec<'a> {
    fn from(conn: &'a mut Conn) -> Self {
        Exec::Conn(conn)
    }
}

impl<'a> From<&'a Tx> for Exec<'a> {
    fn from(tx: &'a Tx) -> Self {
        Exec::Tx(tx)
    }
}

impl<'a> From<&'a mut Tx> for Exec<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Exec::Tx(tx)
    }
}

/// Runs `$body` with `$B` the backend type and `$conn` a `&mut` connection of
/// it, for whichever backend `$exec` is. The body is written once and
/// compiled per backend with concrete types: no executor generics, so the
/// futures stay `Send`. The body is an expression of type `Result<T>`; `?`
/// inside it ends the body, not the enclosing function.
///
/// Every call passes through here, so this is where the connection is
/// taken and settled: the body runs within the pool's timeout
/// ([`crate::PoolConfig::statement_timeout`]); an error that breaks the
/// connection closes it; an error inside a transaction marks the
/// transaction failed. The body's future is boxed: bodies are large (a
/// bulk call's especially) and would otherwise be copied into every
/// enclosing future, which overflows a debug build's stack. With
/// `rows $n`, the limit is the timeout for every 10,000 of `$n` rows (bulk
/// calls).
macro_rules! with_conn {
    ($exec:expr, $context:expr, $B:ident, $conn:ident => $body:expr) => {
        $crate::exec::with_conn!(@run $exec, $context, 1u32, $B, $conn => $body)
    };
    ($exec:expr, $context:expr, rows $rows:expr, $B:ident, $conn:ident => $body:expr) => {
        $crate::exec::with_conn!(@run $exec, $context, $crate::exec::bulk_scale($rows), $B, $conn => $body)
    };
    (@run $exec:expr, $context:expr, $scale:expr, $B:ident, $conn:ident => $body:expr) => {{
        use $crate::conn::Pooled;
        use $crate::exec::{Exec, InnerConn};
        let context: $crate::error::Context = $context;
        let scale: u32 = $scale;
        let call_limit = |limit: Option<std::time::Duration>| limit.map(|l| l.saturating_mul(scale));
        let exec: Exec<'_> = $exec;
        let system = exec.dialect().system_name();
        // The statements' frame: their operation, and the slow-statement
        // threshold of the pool they run on (a hook's statements: the
        // operation's around them).
        let frame = $crate::observe::site::Frame::new(
            context,
            match &exec {
                Exec::Db(db) => Some(db.guard.slow()),
                Exec::Conn(held) => Some(held.db.guard.slow()),
                Exec::Tx(tx) => Some(tx.slow()),
                Exec::Inner(_) => None,
            },
        );
        macro_rules! on_pooled {
            ($pooled:expr, $timeout:expr) => {
                match $pooled {
                    #[cfg(feature = "postgres")]
                    Pooled::Postgres(c) => {
                        type $B = $crate::driver::Pg;
                        c.settled(false);
                        let outcome = {
                            let $conn: &mut sqlx::PgConnection = &mut **c;
                            $crate::conn::timed(call_limit($timeout), context, Box::pin($crate::observe::site::framed(frame, system, async { $body }))).await
                        };
                        c.settled(true);
                        outcome
                    }
                    #[cfg(feature = "mysql")]
                    Pooled::MySql(c) => {
                        type $B = $crate::driver::MySql;
                        c.settled(false);
                        let outcome = {
                            let $conn: &mut sqlx::MySqlConnection = &mut **c;
                            $crate::conn::timed(call_limit($timeout), context, Box::pin($crate::observe::site::framed(frame, system, async { $body }))).await
                        };
                        c.settled(true);
                        outcome
                    }
                    #[cfg(feature = "sqlx-sqlite")]
                    Pooled::Sqlite(c) => {
                        type $B = $crate::driver::Sqlite;
                        let $conn: &mut sqlx::SqliteConnection = &mut **c;
                        $crate::conn::timed(call_limit($timeout), context, Box::pin($crate::observe::site::framed(frame, system, async { $body }))).await
                    }
                    #[cfg(feature = "rusqlite")]
                    Pooled::Lite(c) => {
                        type $B = $crate::driver::Lite;
                        let threading = c.threading();
                        let limit = call_limit($timeout);
                        // The timer of `timed` cannot stop a statement that
                        // never yields: SQLite interrupts it at the deadline.
                        let armed = c.arm(limit);
                        let outcome = {
                            let $conn: &mut $crate::driver::lite::LiteConn = &mut **c;
                            $crate::driver::lite::run_call(
                                threading,
                                $crate::conn::timed(limit, context, Box::pin($crate::observe::site::framed(frame, system, async { $body }))),
                            )
                            .await
                        };
                        // An interrupted statement is a timeout even when the
                        // body made light of its error: SQLite may have
                        // ended the transaction around it.
                        match (armed.disarm(), limit) {
                            (true, Some(after)) => Err($crate::error::Error::Timeout { context, after }),
                            _ => outcome,
                        }
                    }
                    Pooled::Never(never) => match *never {},
                }
            };
        }
        match exec {
            Exec::Db(db) => {
                let mut pooled = db.checkout(context).await?;
                let outcome = on_pooled!(&mut pooled, db.guard.timeout);
                db.settle(&mut pooled, &outcome);
                outcome
            }
            Exec::Conn(held) => {
                let outcome = on_pooled!(&mut held.inner, held.db.guard.timeout);
                held.db.settle(&mut held.inner, &outcome);
                outcome
            }
            Exec::Tx(tx) => {
                let timeout = tx.timeout();
                let mut state = tx.for_statement().await?;
                let outcome = on_pooled!(state.pooled()?, timeout);
                state.settle(tx.level(), outcome)
            }
            // A nested operation's statements: timed and settled by the
            // operation around them.
            Exec::Inner(inner) => match inner.conn {
                #[cfg(feature = "postgres")]
                InnerConn::Postgres(c) => {
                    type $B = $crate::driver::Pg;
                    let $conn: &mut sqlx::PgConnection = c;
                    Box::pin($crate::observe::site::framed(frame, system, async { $body })).await
                }
                #[cfg(feature = "mysql")]
                InnerConn::MySql(c) => {
                    type $B = $crate::driver::MySql;
                    let $conn: &mut sqlx::MySqlConnection = c;
                    Box::pin($crate::observe::site::framed(frame, system, async { $body })).await
                }
                #[cfg(feature = "sqlx-sqlite")]
                InnerConn::Sqlite(c) => {
                    type $B = $crate::driver::Sqlite;
                    let $conn: &mut sqlx::SqliteConnection = c;
                    Box::pin($crate::observe::site::framed(frame, system, async { $body })).await
                }
                #[cfg(feature = "rusqlite")]
                InnerConn::Lite(c) => {
                    type $B = $crate::driver::Lite;
                    let $conn: &mut $crate::driver::lite::LiteConn = c;
                    Box::pin($crate::observe::site::framed(frame, system, async { $body })).await
                }
                InnerConn::Never(never, _) => match never {},
            },
        }
    }};
}
pub(crate) use with_conn;

/// How many times the timeout a bulk call of `rows` rows may take: one for
/// every 10,000 rows, at least one.
pub(crate) fn bulk_scale(rows: usize) -> u32 {
    u32::try_from(rows.div_ceil(10_000))
        .unwrap_or(u32::MAX)
        .max(1)
}
