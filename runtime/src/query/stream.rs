//! Rows as a `Stream`, fetched as they are consumed.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use tokio::sync::mpsc;

use crate::error::Result;

/// How many decoded rows may wait between the database and the consumer.
const BUFFER: usize = 32;

/// A stream of rows: the statement runs as the stream is polled and at most
/// a few dozen rows are held in memory, however many match. Dropping the
/// stream stops the statement and releases its connection.
pub struct RowStream<'a, T> {
    /// Runs the statement, sending each row; holds the connection.
    driver: Option<Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>>,
    rows: mpsc::Receiver<Result<T>>,
    /// The driver's error, once the rows before it are delivered.
    failed: Option<crate::Error>,
}

impl<T> std::fmt::Debug for RowStream<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowStream")
            .field("running", &self.driver.is_some())
            .finish()
    }
}

/// Where the driver sends rows.
pub(crate) type RowSender<T> = mpsc::Sender<Result<T>>;

impl<'a, T: Send + 'a> RowStream<'a, T> {
    /// A stream fed by `run`, which sends rows until it ends or the sender
    /// reports the stream was dropped.
    pub(crate) fn new<F, Fut>(run: F) -> Self
    where
        F: FnOnce(RowSender<T>) -> Fut,
        Fut: Future<Output = Result<()>> + Send + 'a,
    {
        let (sender, rows) = mpsc::channel(BUFFER);
        RowStream {
            driver: Some(Box::pin(run(sender))),
            rows,
            failed: None,
        }
    }
}

impl<T> Stream for RowStream<'_, T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        if let Some(driver) = self.driver.as_mut()
            && let Poll::Ready(outcome) = driver.as_mut().poll(cx)
        {
            self.driver = None;
            // Reported after the rows read before it, in order.
            self.failed = outcome.err();
        }
        // Once the driver is gone its sender is too, so `None` here means
        // every row has been delivered.
        match self.rows.poll_recv(cx) {
            Poll::Ready(None) => Poll::Ready(self.failed.take().map(Err)),
            other => other,
        }
    }
}
