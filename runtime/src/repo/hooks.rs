//! [`Hooks`]: code of the entity's own, run around its changes.

use std::future::Future;

use super::Model;
use crate::error::Result;
use crate::exec::Exec;

/// Code run before and after an entity's changes, inside the change's
/// transaction. Declare `#[entity(hooks)]` on the struct and implement the
/// methods needed (the others do nothing); entities without the attribute
/// get an empty implementation from the derive.
///
/// - The `exec` given is the operation's own connection, inside its
///   transaction: statements a hook runs there commit or roll back with the
///   change.
/// - An error from a `before_*` hook aborts the operation before it writes
///   anything; an error from an `after_*` hook undoes the change. Either
///   way the caller gets the error, so a surrounding transaction rolls back
///   too when the caller returns it.
/// - `before_create` and `before_update` may change the input; on entities
///   with hooks, validation runs after them, on what they leave.
/// - Hooks are `async`; a synchronous hook is an `async fn` without
///   `.await`.
/// - `upsert` runs no hooks (it has no Update input to hand
///   `before_update`); `force_delete` runs the delete hooks; `restore` none.
///
/// ```
/// # use entable::prelude::*;
/// #[derive(Entity, Debug, Clone)]
/// #[entity(hooks)]
/// struct Member {
///     #[entity(primary_key, auto_increment)]
///     id: i64,
///     email: String,
/// }
///
/// impl Hooks for Member {
///     async fn before_create(_exec: Exec<'_>, input: &mut MemberCreate) -> entable::Result<()> {
///         input.email = input.email.trim().to_lowercase();
///         Ok(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> entable::Result<()> {
/// let db = Db::connect("sqlite::memory:").await?;
/// Schema::of([Member::table()])?.create_all(&db).await?;
/// let member = Member::create(&db, MemberCreate { email: " Ada@Example.COM ".into() }).await?;
/// assert_eq!(member.email, "ada@example.com");
/// # Ok(())
/// # }
/// ```
pub trait Hooks: Model {
    /// Before a row is inserted: may change `input`; an error aborts.
    fn before_create(
        exec: Exec<'_>,
        input: &mut Self::Create,
    ) -> impl Future<Output = Result<()>> + Send {
        let _ = (exec, input);
        async { Ok(()) }
    }

    /// After a row is inserted, with the row as stored; an error undoes it.
    fn after_create(exec: Exec<'_>, row: &Self) -> impl Future<Output = Result<()>> + Send {
        let _ = (exec, row);
        async { Ok(()) }
    }

    /// Before the row with `key` is updated: may change `patch`; an error
    /// aborts.
    fn before_update(
        exec: Exec<'_>,
        key: &Self::Key,
        patch: &mut Self::Update,
    ) -> impl Future<Output = Result<()>> + Send {
        let _ = (exec, key, patch);
        async { Ok(()) }
    }

    /// After a row is updated, with the row as stored; an error undoes it.
    fn after_update(exec: Exec<'_>, row: &Self) -> impl Future<Output = Result<()>> + Send {
        let _ = (exec, row);
        async { Ok(()) }
    }

    /// Before the row with `key` is deleted (soft or for real); an error
    /// aborts.
    fn before_delete(exec: Exec<'_>, key: &Self::Key) -> impl Future<Output = Result<()>> + Send {
        let _ = (exec, key);
        async { Ok(()) }
    }

    /// After the row with `key` was deleted (only when there was one); an
    /// error undoes the delete.
    fn after_delete(exec: Exec<'_>, key: &Self::Key) -> impl Future<Output = Result<()>> + Send {
        let _ = (exec, key);
        async { Ok(()) }
    }
}
