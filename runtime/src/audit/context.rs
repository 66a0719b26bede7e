//! [`AuditContext`]: who is making changes, per task or per transaction.

use std::future::Future;
use std::sync::Arc;

tokio::task_local! {
    static CURRENT: Arc<AuditContext>;
}

/// Who makes the changes logged: the actor, session and correlation ids,
/// IP address and user agent, each optional.
///
/// ```
/// # use entable::AuditContext;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let context = AuditContext::new()
///     .actor("user-42")
///     .correlation("req-7f3a")
///     .ip("203.0.113.9");
/// context
///     .scope(async {
///         // Changes to audited entities made here are logged as user-42's.
///         assert_eq!(
///             AuditContext::current().and_then(|c| c.actor_id.clone()).as_deref(),
///             Some("user-42")
///         );
///     })
///     .await;
/// # }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditContext {
    /// Who: a user id, a service name.
    pub actor_id: Option<String>,
    /// The login session.
    pub session_id: Option<String>,
    /// The request or job the change belongs to.
    pub correlation_id: Option<String>,
    /// The client's IP address.
    pub ip: Option<String>,
    /// The client's user agent.
    pub user_agent: Option<String>,
}

impl AuditContext {
    /// An empty context.
    pub fn new() -> Self {
        AuditContext::default()
    }

    /// With `actor` as the actor id.
    pub fn actor(mut self, actor: impl Into<String>) -> Self {
        self.actor_id = Some(actor.into());
        self
    }

    /// With `session` as the session id.
    pub fn session(mut self, session: impl Into<String>) -> Self {
        self.session_id = Some(session.into());
        self
    }

    /// With `correlation` as the correlation id.
    pub fn correlation(mut self, correlation: impl Into<String>) -> Self {
        self.correlation_id = Some(correlation.into());
        self
    }

    /// With `ip` as the client's address.
    pub fn ip(mut self, ip: impl Into<String>) -> Self {
        self.ip = Some(ip.into());
        self
    }

    /// With `user_agent` as the client's user agent.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Runs `future` with this context as the task's: changes it makes to
    /// audited entities are logged with it (unless their transaction has
    /// its own, [`Tx::set_audit_context`](crate::Tx::set_audit_context)).
    /// Work spawned onto other tasks does not inherit it.
    pub async fn scope<F: Future>(self, future: F) -> F::Output {
        CURRENT.scope(Arc::new(self), future).await
    }

    /// The context of the current task, if one is set.
    pub fn current() -> Option<Arc<AuditContext>> {
        CURRENT.try_with(Arc::clone).ok()
    }
}
