//! How field values appear in the audit log.

/// A field value as the audit log shows it (JSON). Implemented for every
/// type entable maps to a column, and by `#[derive(DbEnum)]`; implement it
/// for a custom column type, or mark the field `#[entity(audit(skip))]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be shown in the audit log",
    label = "no `AuditValue` for `{Self}`",
    note = "implement `entable::audit::AuditValue` for it, or mark the field #[entity(audit(skip))]"
)]
pub trait AuditValue {
    /// The value as JSON.
    fn audit_value(&self) -> serde_json::Value;
}

macro_rules! via_json {
    ($($ty:ty),* $(,)?) => {
        $(impl AuditValue for $ty {
            fn audit_value(&self) -> serde_json::Value {
                serde_json::Value::from(self.clone())
            }
        })*
    };
}
via_json!(bool, i16, i32, i64, f32, f64, String, Vec<u8>);

/// A decimal is logged as its exact text (`"12.50"`), never as a JSON
/// number that readers would take through `f64`.
#[cfg(feature = "decimal")]
impl<const P: u8, const S: u8> AuditValue for crate::types::Numeric<P, S> {
    fn audit_value(&self) -> serde_json::Value {
        serde_json::Value::String(self.to_string())
    }
}

impl AuditValue for uuid::Uuid {
    fn audit_value(&self) -> serde_json::Value {
        serde_json::Value::String(self.to_string())
    }
}

#[cfg(feature = "chrono")]
macro_rules! via_serde {
    ($($ty:ty),* $(,)?) => {
        $(impl AuditValue for $ty {
            fn audit_value(&self) -> serde_json::Value {
                serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
            }
        })*
    };
}
#[cfg(feature = "chrono")]
via_serde!(
    chrono::DateTime<chrono::Utc>,
    chrono::NaiveDateTime,
    chrono::NaiveDate,
    chrono::NaiveTime,
);

#[cfg(feature = "time")]
macro_rules! via_display {
    ($($ty:ty),* $(,)?) => {
        $(impl AuditValue for $ty {
            fn audit_value(&self) -> serde_json::Value {
                serde_json::Value::String(self.to_string())
            }
        })*
    };
}
#[cfg(feature = "time")]
via_display!(
    time::OffsetDateTime,
    time::PrimitiveDateTime,
    time::Date,
    time::Time
);

impl AuditValue for serde_json::Value {
    fn audit_value(&self) -> serde_json::Value {
        self.clone()
    }
}

#[cfg(feature = "json")]
impl<T: serde::Serialize> AuditValue for sqlx::types::Json<T> {
    fn audit_value(&self) -> serde_json::Value {
        serde_json::to_value(&self.0).unwrap_or(serde_json::Value::Null)
    }
}

impl<T: AuditValue> AuditValue for Option<T> {
    fn audit_value(&self) -> serde_json::Value {
        self.as_ref()
            .map_or(serde_json::Value::Null, AuditValue::audit_value)
    }
}

/// One field of a row as the audit log sees it. Generated per audited
/// entity (`Model::audit_fields`); skipped fields are not among them.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditField {
    /// The column.
    pub column: &'static str,
    /// The value.
    pub value: serde_json::Value,
    /// `audit(mask)`: logged as `"***"`.
    pub masked: bool,
}

impl AuditField {
    /// The value as written to the log.
    pub(crate) fn shown(&self) -> serde_json::Value {
        if self.masked {
            serde_json::Value::String("***".into())
        } else {
            self.value.clone()
        }
    }
}

/// The whole row, as shown.
pub(crate) fn full(fields: &[AuditField]) -> serde_json::Value {
    serde_json::Value::Object(
        fields
            .iter()
            .map(|f| (f.column.to_owned(), f.shown()))
            .collect(),
    )
}

/// The fields that differ between `old` and `new` (the same columns in the
/// same order), as `(old, new)` objects; `None` when nothing changed.
pub(crate) fn changes(
    old: &[AuditField],
    new: &[AuditField],
) -> Option<(serde_json::Value, serde_json::Value)> {
    let mut before = serde_json::Map::new();
    let mut after = serde_json::Map::new();
    for (o, n) in old.iter().zip(new) {
        if o.value != n.value {
            before.insert(o.column.to_owned(), o.shown());
            after.insert(n.column.to_owned(), n.shown());
        }
    }
    if before.is_empty() {
        return None;
    }
    Some((
        serde_json::Value::Object(before),
        serde_json::Value::Object(after),
    ))
}

/// A key as the log stores it: a single text or number as its text, a
/// composite key as a JSON array.
pub fn key_text(parts: &[serde_json::Value]) -> String {
    match parts {
        [serde_json::Value::String(text)] => text.clone(),
        [one] => one.to_string(),
        _ => serde_json::Value::Array(parts.to_vec()).to_string(),
    }
}
