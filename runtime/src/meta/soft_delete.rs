//! The soft-delete marker as metadata: which column marks a deleted row,
//! and how. The SQL that tests, sets and clears it is
//! `schema::soft_delete`.

/// The column that soft-deletes an entity's rows and how it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SoftDelete {
    /// The column name.
    pub column: &'static str,
    /// What its value means.
    pub kind: SoftDeleteKind,
}

/// How a soft-delete column marks a deleted row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SoftDeleteKind {
    /// `#[entity(deleted_at)]`: a nullable time stamp, NULL while the row is
    /// live, the time of the delete afterwards (a bound value).
    Timestamp,
    /// `#[entity(deleted_flag)]` (`live == false`) or
    /// `#[entity(live_flag)]` (`live == true`): a `NOT NULL` boolean that
    /// holds `live` while the row is live and `!live` once deleted.
    Flag {
        /// The value of live rows (the column's default).
        live: bool,
    },
}

impl SoftDeleteKind {
    /// The kind a snapshot records: `flag_live` is the value live rows have
    /// when the column is a flag, `None` for a time stamp.
    pub fn from_snapshot(flag_live: Option<bool>) -> SoftDeleteKind {
        match flag_live {
            Some(live) => SoftDeleteKind::Flag { live },
            None => SoftDeleteKind::Timestamp,
        }
    }

    /// The reverse of [`from_snapshot`](Self::from_snapshot).
    pub fn flag_live(self) -> Option<bool> {
        match self {
            SoftDeleteKind::Timestamp => None,
            SoftDeleteKind::Flag { live } => Some(live),
        }
    }
}
