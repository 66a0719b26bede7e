//! A transaction (or savepoint) opened by an operation on a connection it
//! was given, undone if the operation is dropped half-way.

use super::{Backend, DriverError, SqlText};

/// A transaction level opened on `conn`: [`commit`](Self::commit) or
/// [`rollback`](Self::rollback) ends it; dropped unfinished (the future
/// running the operation was cancelled), its rollback is queued on the
/// connection, so the connection never goes back to the pool inside a
/// transaction. Dereferences to the connection.
pub struct Nested<'c, B: Backend> {
    conn: &'c mut B::Conn,
    open: bool,
}

impl<B: Backend> std::fmt::Debug for Nested<'_, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Nested").field("open", &self.open).finish()
    }
}

impl<'c, B: Backend> Nested<'c, B> {
    /// Opens a transaction on `conn`, or a savepoint when one is open;
    /// `statement` replaces `BEGIN` when none is (SQLite's
    /// `BEGIN IMMEDIATE`).
    pub async fn begin(
        conn: &'c mut B::Conn,
        statement: Option<&'static str>,
    ) -> Result<Self, DriverError> {
        let statement = statement.filter(|_| B::transaction_depth(conn) == 0);
        super::statement::begin::<B>(conn, statement.map(SqlText::Static)).await?;
        Ok(Nested { conn, open: true })
    }

    /// Commits the level.
    pub async fn commit(mut self) -> Result<(), DriverError> {
        self.open = false;
        super::statement::commit::<B>(self.conn).await
    }

    /// Rolls the level back.
    pub async fn rollback(mut self) -> Result<(), DriverError> {
        self.open = false;
        super::statement::rollback::<B>(self.conn).await
    }
}

impl<B: Backend> std::ops::Deref for Nested<'_, B> {
    type Target = B::Conn;
    fn deref(&self) -> &B::Conn {
        self.conn
    }
}

impl<B: Backend> std::ops::DerefMut for Nested<'_, B> {
    fn deref_mut(&mut self) -> &mut B::Conn {
        self.conn
    }
}

impl<B: Backend> Drop for Nested<'_, B> {
    fn drop(&mut self) {
        if self.open {
            B::start_rollback(self.conn);
        }
    }
}
