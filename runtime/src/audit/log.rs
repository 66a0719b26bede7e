//! Writing audit records, reading them back, and deleting old ones.

use crate::driver::statement;
use chrono::{DateTime, Utc};

use super::record::{AuditAction, AuditRecord, AuditRecordCreate};
use crate::audit::{Act, Change};
use crate::driver::Backend as _;
use crate::entity::Entity;
use crate::error::bind_error;
use crate::error::{Context, Error, Result};
use crate::exec::{Exec, with_conn};
use crate::query::Expr;
use crate::repo::{Model, Persist};

/// The longest `entity_key` and `actor_id` the log's columns hold, in
/// characters (`AuditRecord`'s `max_length`s).
pub(crate) const KEY_LENGTH: usize = 512;
/// See [`KEY_LENGTH`].
pub(crate) const ACTOR_LENGTH: usize = 255;

/// The row of `change`, stamped now; a key or actor id longer than its
/// column is an [`Error::InvalidValue`] (the change's transaction is then
/// rolled back), never a database error.
fn record(change: Change, context: Context) -> Result<AuditRecordCreate> {
    let who = change.context.as_deref().cloned().unwrap_or_default();
    let too_long = |column: &str, value: Option<&str>, max: usize| match value {
        Some(value) if value.chars().count() > max => Err(Error::InvalidValue {
            context,
            column: Some(column.to_owned()),
            reason: format!(
                "the audit log's `{column}` holds at most {max} characters; this one has {}",
                value.chars().count()
            ),
        }),
        _ => Ok(()),
    };
    too_long("entity_key", Some(&change.key), KEY_LENGTH)?;
    too_long("actor_id", who.actor_id.as_deref(), ACTOR_LENGTH)?;
    Ok(AuditRecordCreate {
        at: Utc::now(),
        action: match change.act {
            Act::Create => AuditAction::Create,
            Act::Update => AuditAction::Update,
            Act::Delete => AuditAction::Delete,
            Act::SoftDelete => AuditAction::SoftDelete,
            Act::Restore => AuditAction::Restore,
        },
        resource: change.resource,
        entity_key: change.key,
        old_values: change.old,
        new_values: change.new,
        actor_id: who.actor_id,
        session_id: who.session_id,
        correlation_id: who.correlation_id,
        ip: who.ip,
        user_agent: who.user_agent,
    })
}

/// Inserts the record of `change` on `exec` (the changing operation's
/// connection, inside its transaction).
pub(crate) async fn write(exec: Exec<'_>, context: Context, change: Change) -> Result<()> {
    write_many(exec, context, vec![change]).await
}

/// Inserts the records of `changes` on `exec` in multi-row statements (a
/// bulk change logs one record per row).
pub(crate) async fn write_many(
    exec: Exec<'_>,
    context: Context,
    changes: Vec<Change>,
) -> Result<()> {
    let rows = changes
        .into_iter()
        .map(|change| record(change, context))
        .collect::<Result<Vec<AuditRecordCreate>>>()?;
    match rows.as_slice() {
        [] => Ok(()),
        [one] => {
            let table = AuditRecord::table();
            with_conn!(exec, context, B, conn => {
                let mut args = crate::driver::Args::<B>::default();
                let (columns, _) = <AuditRecord as Persist<B>>::bind_create(one, &mut args)
                    .map_err(|e| bind_error(context, e))?;
                let sql = AuditRecord::sql().insert(B::DIALECT, table, columns);
                statement::execute::<B>(&mut *conn, sql, args)
                    .await
                    .map_err(|e| Error::from_driver(e, context, table, B::DIALECT))?;
                Ok(())
            })
        }
        _ => crate::repo::bulk_insert::insert_rows::<AuditRecord>(
            exec, rows, false, None, None, false, context,
        )
        .await
        .map(|_| ()),
    }
}

/// Reading and trimming the audit log.
///
/// ```
/// # use entable::prelude::*;
/// # use entable::audit::{AuditAction, AuditLog};
/// #[derive(Entity, Debug, Clone)]
/// #[entity(audit)]
/// struct Account {
///     #[entity(primary_key, auto_increment)]
///     id: i64,
///     email: String,
///     #[entity(audit(skip))]
///     password_hash: String,
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> entable::Result<()> {
/// let db = Db::connect("sqlite::memory:").await?;
/// Schema::of([Account::table()])?.create_all(&db).await?; // with `entable_audit`
/// let account = AuditContext::new()
///     .actor("admin")
///     .scope(Account::create(
///         &db,
///         AccountCreate { email: "a@b.c".into(), password_hash: "secret".into() },
///     ))
///     .await?;
/// let records = AuditLog::query().key::<Account>(&account.id).all(&db).await?;
/// assert_eq!(records.len(), 1);
/// assert_eq!(records[0].action, AuditAction::Create);
/// assert_eq!(records[0].actor_id.as_deref(), Some("admin"));
/// let new = records[0].new_values.as_ref().expect("a create logs the row");
/// assert_eq!(new["email"], "a@b.c");
/// assert!(new.get("password_hash").is_none(), "skipped fields never reach the log");
/// assert_eq!(AuditLog::purge_older_than(&db, 30).await?, 0);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AuditLog;

impl AuditLog {
    /// A query over the log, oldest record first.
    pub fn query() -> AuditQuery {
        AuditQuery::default()
    }

    /// Deletes the records older than `days` days; returns how many.
    pub async fn purge_older_than(exec: impl Into<Exec<'_>>, days: u32) -> Result<u64> {
        let cutoff = Utc::now() - chrono::Duration::days(i64::from(days));
        AuditLog::purge_before(exec, cutoff).await
    }

    /// Deletes the records made before `cutoff`; returns how many.
    pub async fn purge_before(exec: impl Into<Exec<'_>>, cutoff: DateTime<Utc>) -> Result<u64> {
        let context = crate::repo::context::<AuditRecord>("purge_audit_log");
        let table = AuditRecord::table();
        let query = crate::query::Query::<AuditRecord>::new().filter(AuditRecord::AT.lt(cutoff));
        let exec = exec.into();
        with_conn!(exec, context, B, conn => {
            let base = format!("DELETE FROM {}", crate::schema::ddl::table_ident(B::DIALECT, table));
            let (sql, args) = query.unordered_statement::<B>(&base, context)?;
            let done = statement::execute::<B>(&mut *conn, sql, args)
                .await
                .map_err(|e| Error::from_driver(e, context, table, B::DIALECT))?;
            Ok(done.rows_affected)
        })
    }
}

/// Records of the audit log matching all the conditions given.
#[derive(Debug, Default)]
pub struct AuditQuery {
    filter: Expr<AuditRecord>,
    limit: Option<u64>,
    newest_first: bool,
}

impl AuditQuery {
    fn and(mut self, expr: Expr<AuditRecord>) -> Self {
        self.filter = self.filter.and(expr);
        self
    }

    /// Changes to entity `E`'s table.
    pub fn resource<E: Entity>(self) -> Self {
        self.and(AuditRecord::RESOURCE.eq(E::table().qualified_name()))
    }

    /// Changes to the row of `E` with `key`.
    pub fn key<E: Model>(self, key: &E::Key) -> Self {
        self.resource::<E>()
            .and(AuditRecord::ENTITY_KEY.eq(E::audit_key(key)))
    }

    /// Changes made by `actor`.
    pub fn actor(self, actor: impl Into<String>) -> Self {
        self.and(AuditRecord::ACTOR_ID.eq(actor.into()))
    }

    /// Changes that did `action`.
    pub fn action(self, action: AuditAction) -> Self {
        self.and(AuditRecord::ACTION.eq(action))
    }

    /// Changes made at or after `from`.
    pub fn since(self, from: DateTime<Utc>) -> Self {
        self.and(AuditRecord::AT.gte(from))
    }

    /// Changes made before `until`.
    pub fn until(self, until: DateTime<Utc>) -> Self {
        self.and(AuditRecord::AT.lt(until))
    }

    /// At most `n` records.
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }

    /// The most recent records first (with [`limit`](Self::limit): the
    /// last `n`).
    pub fn newest_first(mut self) -> Self {
        self.newest_first = true;
        self
    }

    /// The matching records, in the order they were written (or the
    /// reverse, with [`newest_first`](Self::newest_first)).
    pub async fn all(self, exec: impl Into<Exec<'_>>) -> Result<Vec<AuditRecord>> {
        let order = if self.newest_first {
            AuditRecord::ID.desc()
        } else {
            AuditRecord::ID.asc()
        };
        let mut query = crate::query::Query::new()
            .filter(self.filter)
            .order_by(order);
        if let Some(n) = self.limit {
            query = query.limit(n);
        }
        query.all(exec).await
    }
}
