//! Retrying a whole transaction on serialization failures and deadlocks.

use std::future::Future;
use std::time::Duration;

use super::{Tx, TxOptions};
use crate::db::Db;
use crate::error::Error;

/// How [`Db::run_tx`] retries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retry {
    /// Attempts in all, the first included (at least 1). Default 5.
    pub attempts: u32,
    /// Wait before the second attempt; doubled each time after, with
    /// jitter of up to half. Default 10 ms.
    pub backoff: Duration,
    /// The longest wait. Default 1 s.
    pub max_backoff: Duration,
    /// How each attempt's transaction begins. Default: the server's
    /// isolation level.
    pub options: TxOptions,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 5,
            backoff: Duration::from_millis(10),
            max_backoff: Duration::from_secs(1),
            options: TxOptions::default(),
        }
    }
}

/// An error type a transaction closure may return: it can hold an entable
/// [`Error`], and says whether it does, so that [`Db::run_tx`] can tell a
/// serialization failure from the closure's own errors.
pub trait TxError: From<Error> {
    /// The entable error inside, if this is one.
    fn as_entable(&self) -> Option<&Error>;
}

impl TxError for Error {
    fn as_entable(&self) -> Option<&Error> {
        Some(self)
    }
}

impl Db {
    /// Runs `work` in a transaction like [`Db::transaction`], and runs it
    /// again, in a new transaction, when it fails with a serialization
    /// failure or a deadlock ([`Error::is_retryable`]), up to
    /// `retry.attempts` times. Any other error is returned at once.
    ///
    /// ```
    /// # use entable::{Db, Error, Retry, Tx};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> entable::Result<()> {
    /// let db = Db::connect("sqlite::memory:").await?;
    /// let done = db
    ///     .run_tx(Retry::default(), |tx: Tx| async move {
    ///         // Runs again from the start after a serialization failure.
    ///         Ok::<_, Error>(tx.level())
    ///     })
    ///     .await?;
    /// assert_eq!(done, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn run_tx<T, E, F, Fut>(&self, retry: Retry, mut work: F) -> Result<T, E>
    where
        F: FnMut(Tx) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: TxError,
    {
        let mut backoff = retry.backoff;
        let mut attempt = 1;
        loop {
            match self.transaction_with(retry.options, &mut work).await {
                Err(error)
                    if attempt < retry.attempts
                        && error.as_entable().is_some_and(Error::is_retryable) =>
                {
                    crate::observe::metrics::retry(self.dialect().system_name());
                    tokio::time::sleep(jittered(backoff)).await;
                    backoff = backoff.saturating_mul(2).min(retry.max_backoff);
                    attempt += 1;
                }
                outcome => return outcome,
            }
        }
    }
}

/// `wait` less up to half of it, so that clashing transactions retried
/// together do not clash again.
fn jittered(wait: Duration) -> Duration {
    let random = uuid::Uuid::new_v4().as_u128() as u64;
    let nanos = u64::try_from(wait.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(nanos - (random % (nanos / 2 + 1)))
}
