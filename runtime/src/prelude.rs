//! `use entable::prelude::*;` brings the derives, the traits generated code
//! implements, the handle and the common column types.

pub use crate::backend::Dialect;
pub use crate::query::Expr;
pub use crate::repo::Repo;
pub use crate::schema::Schema;
pub use crate::types::DbEnum as _;
#[cfg(feature = "json")]
pub use crate::types::Json;
#[cfg(feature = "decimal")]
pub use crate::types::Numeric;
pub use crate::{AuditContext, Db, DbEnum, Entity, Exec, Hooks, SingleKey, Tx};
pub use uuid::Uuid;

#[cfg(feature = "chrono")]
pub use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
