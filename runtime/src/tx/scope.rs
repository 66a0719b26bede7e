//! The closure forms: commit when the closure returns `Ok`, roll back when
//! it returns `Err`, panics or is dropped.

use std::future::Future;

use super::{Tx, TxOptions};
use crate::db::Db;
use crate::error::Error;

impl Db {
    /// Runs `work` in a transaction: commits when it returns `Ok`, rolls
    /// back when it returns `Err`, panics, or its future is dropped. The
    /// closure gets an owned [`Tx`]; pass `&tx` to repository calls.
    ///
    /// ```
    /// # use entable::prelude::*;
    /// # use entable::Error;
    /// #[derive(Entity, Debug, Clone)]
    /// struct Transfer {
    ///     #[entity(primary_key, auto_increment)]
    ///     id: i64,
    ///     cents: i64,
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> entable::Result<()> {
    /// let db = Db::connect("sqlite::memory:").await?;
    /// # Schema::of([Transfer::table()])?.create_all(&db).await?;
    /// let id = db
    ///     .transaction(|tx: Tx| async move {
    ///         let row = Transfer::create(&tx, TransferCreate { cents: 500 }).await?;
    ///         Ok::<_, Error>(row.id)
    ///     })
    ///     .await?; // committed
    /// assert!(Transfer::get(&db, id).await?.is_some());
    ///
    /// let refused = db
    ///     .transaction(|tx: Tx| async move {
    ///         Transfer::create(&tx, TransferCreate { cents: -1 }).await?;
    ///         Err::<(), _>(Error::rejected("no negative transfers"))
    ///     })
    ///     .await;
    /// assert!(refused.is_err());
    /// assert_eq!(Transfer::count(&db, Expr::all()).await?, 1); // rolled back
    /// # Ok(())
    /// # }
    /// ```
    pub async fn transaction<T, E, F, Fut>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(Tx) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: From<Error>,
    {
        self.transaction_with(TxOptions::default(), work).await
    }

    /// [`Db::transaction`] with an isolation level.
    pub async fn transaction_with<T, E, F, Fut>(&self, options: TxOptions, work: F) -> Result<T, E>
    where
        F: FnOnce(Tx) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: From<Error>,
    {
        let tx = self.begin_with(options).await?;
        run(tx, work).await
    }
}

impl Tx {
    /// Runs `work` in a savepoint: its work is released into this
    /// transaction when it returns `Ok`, and undone (leaving the rest of
    /// this transaction as it was) when it returns `Err`, panics, or its
    /// future is dropped.
    pub async fn transaction<T, E, F, Fut>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(Tx) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: From<Error>,
    {
        let savepoint = self.begin().await?;
        run(savepoint, work).await
    }
}

/// Runs `work` on a scoped handle of `tx`, then finishes `tx` by the
/// outcome. A panic or a dropped future drops `tx` unfinished, which rolls
/// it back.
async fn run<T, E, F, Fut>(tx: Tx, work: F) -> Result<T, E>
where
    F: FnOnce(Tx) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: From<Error>,
{
    match work(tx.scoped()).await {
        Ok(value) => {
            tx.commit().await?;
            Ok(value)
        }
        Err(error) => {
            // The closure's error is the one to report; a failing rollback
            // (a lost connection, say) leaves nothing committed either.
            let _ = tx.rollback().await;
            Err(error)
        }
    }
}
