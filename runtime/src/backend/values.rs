//! Values checked before they are bound: what a column cannot hold exactly
//! is refused with [`InvalidValue`] (which becomes
//! [`Error::InvalidValue`](crate::Error::InvalidValue)) before any SQL is
//! sent, the same on every backend.
//!
//! - `NaN` and ±infinity in `f32`/`f64`: SQLite stores NaN as NULL and
//!   MySQL stores neither, so they are refused everywhere.
//! - a NUL character in a `String`: PostgreSQL cannot store it.
//! - dates and date-times outside the column type's range: years 1 to
//!   9999 on MySQL/MariaDB (`DATETIME`/`DATE`, which store anything else as
//!   NULL or a zero date) and on SQLite (stored as text that reads back
//!   only with four-digit years); from 4713 BC (`-4713-11-24`) on
//!   PostgreSQL. chrono leap seconds are refused too (no backend has them).
//!
//! The checks look at the value's type at run time (`Any`), so the derive
//! emits nothing per field: binding is the one place every value passes.

use std::any::Any;

use super::Dialect;

/// Why a value was refused before binding. Carried through the bind error
/// and turned into [`Error::InvalidValue`](crate::Error::InvalidValue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue {
    /// The column, when the binding code knows it.
    pub column: Option<&'static str>,
    /// What is wrong with the value.
    pub reason: String,
}

impl std::fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.column {
            Some(column) => write!(f, "column {column}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

impl std::error::Error for InvalidValue {}

/// `error` with `column` named, if it is an [`InvalidValue`] naming none.
pub fn in_column(
    error: sqlx::error::BoxDynError,
    column: &'static str,
) -> sqlx::error::BoxDynError {
    match error.downcast::<InvalidValue>() {
        Ok(mut invalid) => {
            invalid.column.get_or_insert(column);
            invalid
        }
        Err(other) => other,
    }
}

/// `value` as an `X`, whether it is an `X` or a `Some(X)`.
pub(crate) fn as_type<T: Any, X: Any>(value: &T) -> Option<&X> {
    let any = value as &dyn Any;
    any.downcast_ref::<X>()
        .or_else(|| any.downcast_ref::<Option<X>>().and_then(Option::as_ref))
}

/// Refuses `value` if a column of its type on `dialect` cannot hold it.
pub fn check<T: Any>(dialect: Dialect, value: &T) -> Result<(), InvalidValue> {
    let refuse = |reason: String| {
        Err(InvalidValue {
            column: None,
            reason,
        })
    };
    if let Some(x) = as_type::<T, f64>(value) {
        return finite(x.is_finite(), x.is_nan());
    }
    if let Some(x) = as_type::<T, f32>(value) {
        return finite(x.is_finite(), x.is_nan());
    }
    if let Some(text) = as_type::<T, String>(value) {
        if text.contains('\0') {
            return refuse("text contains a NUL character (\\0), which PostgreSQL cannot store; it is refused on every backend".into());
        }
        return Ok(());
    }
    #[cfg(feature = "chrono")]
    chrono_values(dialect, value)?;
    #[cfg(feature = "time")]
    time_values(dialect, value)?;
    let _ = dialect;
    Ok(())
}

fn finite(finite: bool, nan: bool) -> Result<(), InvalidValue> {
    if finite {
        return Ok(());
    }
    Err(InvalidValue {
        column: None,
        reason: if nan {
            "NaN cannot be stored (SQLite would store NULL, MySQL refuses it); it is refused on every backend".into()
        } else {
            "an infinite float cannot be stored (MySQL refuses it); it is refused on every backend"
                .into()
        },
    })
}

/// Which kind of column a date belongs to.
#[cfg(any(feature = "chrono", feature = "time"))]
#[derive(Clone, Copy)]
enum Kind {
    Timestamp,
    Date,
}

/// The first and last day (year, month, day) a column of `kind` holds.
#[cfg(any(feature = "chrono", feature = "time"))]
fn range(dialect: Dialect, kind: Kind) -> ((i32, u32, u32), (i32, u32, u32)) {
    match (dialect, kind) {
        // 4714-11-24 BC is -4713-11-24 in the proleptic Gregorian calendar
        // chrono and time count in.
        (Dialect::Postgres, Kind::Timestamp) => ((-4713, 11, 24), (294276, 12, 31)),
        (Dialect::Postgres, Kind::Date) => ((-4713, 11, 24), (5874897, 12, 31)),
        // MariaDB stores years 0 to 9999 and MySQL documents 1000 to 9999
        // while storing 1 to 9999 exactly; SQLite's text form and sqlx's
        // reading of it need four-digit years: one range for both.
        (Dialect::MySql | Dialect::Sqlite, _) => ((1, 1, 1), (9999, 12, 31)),
    }
}

/// Refuses the day `(year, month, day)` outside a `kind` column's range.
#[cfg(any(feature = "chrono", feature = "time"))]
fn in_range(dialect: Dialect, kind: Kind, day: (i32, u32, u32)) -> Result<(), InvalidValue> {
    let (first, last) = range(dialect, kind);
    if day >= first && day <= last {
        return Ok(());
    }
    let what = match kind {
        Kind::Timestamp => "date-time",
        Kind::Date => "date",
    };
    let backend = match dialect {
        Dialect::Postgres => "PostgreSQL",
        Dialect::MySql => "MySQL/MariaDB",
        Dialect::Sqlite => "SQLite",
    };
    let show = |(y, m, d): (i32, u32, u32)| format!("{y:04}-{m:02}-{d:02}");
    Err(InvalidValue {
        column: None,
        reason: format!(
            "the {what} on {} is outside what a {what} column holds on {backend} ({} to {})",
            show(day),
            show(first),
            show(last)
        ),
    })
}

#[cfg(feature = "chrono")]
fn chrono_values<T: Any>(dialect: Dialect, value: &T) -> Result<(), InvalidValue> {
    use chrono::{Datelike, Timelike};
    let ymd = |d: chrono::NaiveDate| (d.year(), d.month(), d.day());
    let leap = |nanos: u32| {
        if nanos >= 1_000_000_000 {
            Err(InvalidValue {
                column: None,
                reason: "a leap second (chrono's second 60) cannot be stored".into(),
            })
        } else {
            Ok(())
        }
    };
    if let Some(at) = as_type::<T, chrono::DateTime<chrono::Utc>>(value) {
        leap(at.nanosecond())?;
        return in_range(dialect, Kind::Timestamp, ymd(at.date_naive()));
    }
    if let Some(at) = as_type::<T, chrono::NaiveDateTime>(value) {
        leap(at.nanosecond())?;
        return in_range(dialect, Kind::Timestamp, ymd(at.date()));
    }
    if let Some(day) = as_type::<T, chrono::NaiveDate>(value) {
        return in_range(dialect, Kind::Date, ymd(*day));
    }
    if let Some(time) = as_type::<T, chrono::NaiveTime>(value) {
        return leap(time.nanosecond());
    }
    Ok(())
}

#[cfg(feature = "time")]
fn time_values<T: Any>(dialect: Dialect, value: &T) -> Result<(), InvalidValue> {
    let ymd = |d: time::Date| (d.year(), u32::from(u8::from(d.month())), u32::from(d.day()));
    if let Some(at) = as_type::<T, time::OffsetDateTime>(value) {
        // Stored as UTC; the few instants whose UTC date time cannot even
        // represent are outside every range.
        let day = match at.checked_to_offset(time::UtcOffset::UTC) {
            Some(utc) => ymd(utc.date()),
            None => (i32::MAX, 1, 1),
        };
        return in_range(dialect, Kind::Timestamp, day);
    }
    if let Some(at) = as_type::<T, time::PrimitiveDateTime>(value) {
        return in_range(dialect, Kind::Timestamp, ymd(at.date()));
    }
    if let Some(day) = as_type::<T, time::Date>(value) {
        return in_range(dialect, Kind::Date, ymd(*day));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_and_text() {
        for d in Dialect::ALL {
            assert!(check(d, &f64::NAN).is_err());
            assert!(check(d, &Some(f32::INFINITY)).is_err());
            assert!(check(d, &1.5f64).is_ok());
            assert!(check(d, &None::<f64>).is_ok());
            assert!(check(d, &String::from("a\0b")).is_err());
            assert!(check(d, &Some(String::from("ab"))).is_ok());
        }
    }

    #[cfg(feature = "chrono")]
    #[test]
    fn chrono_ranges() {
        use chrono::NaiveDate;
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        for d in [Dialect::MySql, Dialect::Sqlite] {
            assert!(check(d, &day(10000, 1, 1)).is_err());
            assert!(check(d, &day(0, 12, 31)).is_err());
            assert!(check(d, &day(1, 1, 1)).is_ok());
            assert!(check(d, &day(9999, 12, 31)).is_ok());
        }
        assert!(check(Dialect::Postgres, &day(10000, 1, 1)).is_ok());
        assert!(check(Dialect::Postgres, &day(-4713, 11, 23)).is_err());
        let at = day(1900, 1, 1)
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc();
        assert!(check(Dialect::MySql, &Some(at)).is_ok());
    }
}
