//! One change in a transaction of its own (a savepoint inside the
//! caller's): what every multi-statement write runs in.

/// Runs `$body` (a block returning `Result`) inside a transaction on
/// `$conn` (a savepoint when one is open), named `$tx` in the body;
/// commits on `Ok`, rolls back on `Err`.
///
/// The rollback is awaited here, not left to the transaction's drop: sqlx
/// would send that `ROLLBACK` later, from another task, and the next
/// statement could meet its locks. On SQLite the transaction begins with
/// `BEGIN IMMEDIATE`: a deferred one that reads before it writes cannot
/// upgrade its lock while another writer waits (SQLite answers BUSY at
/// once, without the busy timeout).
macro_rules! in_change {
    ($B:ident, $conn:ident, $classify:ident, $tx:ident => $body:block) => {{
        // A transaction of its own, not a savepoint in the caller's: its
        // COMMIT is the one whose lost answer leaves the outcome unknown.
        let own = <$B as $crate::driver::Backend>::transaction_depth(&*$conn) == 0;
        let begin = ($B::DIALECT == $crate::backend::Dialect::Sqlite).then_some("BEGIN IMMEDIATE");
        let mut $tx = $crate::driver::Nested::<$B>::begin(&mut *$conn, begin).await.map_err($classify)?;
        let outcome: $crate::error::Result<_> = async $body.await;
        match outcome {
            Ok(value) => match $tx.commit().await {
                Ok(()) => Ok(value),
                Err(source) if own && $crate::error::connection_lost(&source) => {
                    Err($crate::error::Error::CommitUnknown { reason: source.to_string() })
                }
                Err(source) => Err($classify(source)),
            },
            Err(error) => match $tx.rollback().await {
                Ok(()) => Err(error),
                // The change is not undone: nothing around it may commit.
                Err(source) => Err($crate::error::Error::RollbackFailed {
                    context: $crate::error::Context::default(),
                    source,
                    cause: Box::new(error),
                }),
            },
        }
    }};
}

pub(crate) use in_change;
