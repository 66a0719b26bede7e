//! Dates and times for the rusqlite driver, in the text formats
//! sqlx-sqlite 0.9 writes (`sqlx-sqlite/src/types/{chrono,time}.rs`) and
//! read back from every format it reads: RFC 3339 and SQLite's own
//! `YYYY-MM-DD HH:MM[:SS[.fff]]` text, Unix seconds as an INTEGER, and
//! (chrono) a Julian day as a REAL.

#[cfg(any(feature = "chrono", feature = "time"))]
use rusqlite::types::{Value, ValueRef};
#[cfg(any(feature = "chrono", feature = "time"))]
use sqlx::error::BoxDynError;

#[cfg(any(feature = "chrono", feature = "time"))]
use super::LiteValue;
#[cfg(any(feature = "chrono", feature = "time"))]
use super::values::{mismatch, text};
#[cfg(any(feature = "chrono", feature = "time"))]
use crate::driver::BindError;

#[cfg(feature = "chrono")]
mod chrono_types {
    use chrono::{
        DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, SecondsFormat,
        TimeZone, Utc,
    };

    use super::*;

    impl LiteValue for DateTime<Utc> {
        fn to_lite(&self) -> Result<Value, BindError> {
            // `2024-05-06T07:08:09.123456+00:00`.
            Ok(Value::Text(
                self.to_rfc3339_opts(SecondsFormat::AutoSi, false),
            ))
        }

        fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
            Ok(Utc.from_utc_datetime(&date_time(value)?.naive_utc()))
        }
    }

    impl LiteValue for NaiveDateTime {
        fn to_lite(&self) -> Result<Value, BindError> {
            Ok(Value::Text(self.format("%F %T%.f").to_string()))
        }

        fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
            Ok(date_time(value)?.naive_local())
        }
    }

    impl LiteValue for NaiveDate {
        fn to_lite(&self) -> Result<Value, BindError> {
            Ok(Value::Text(self.format("%F").to_string()))
        }

        fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
            Ok(NaiveDate::parse_from_str(
                text(value, "a date (TEXT)")?,
                "%F",
            )?)
        }
    }

    impl LiteValue for NaiveTime {
        fn to_lite(&self) -> Result<Value, BindError> {
            Ok(Value::Text(self.format("%T%.f").to_string()))
        }

        fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
            let stored = text(value, "a time (TEXT)")?;
            const FORMATS: [&str; 6] = ["%T%.f", "%R", "%RZ", "%T%.fZ", "%R%:z", "%T%.f%:z"];
            FORMATS
                .iter()
                .find_map(|format| NaiveTime::parse_from_str(stored, format).ok())
                .ok_or_else(|| format!("invalid time: {stored}").into())
        }
    }

    /// A stored date-time, with the offset it was written with (UTC when
    /// it has none).
    fn date_time(value: ValueRef<'_>) -> Result<DateTime<FixedOffset>, BoxDynError> {
        let parsed = match value {
            ValueRef::Text(_) => {
                let stored = text(value, "a date-time")?;
                from_text(stored).ok_or_else(|| format!("invalid datetime: {stored}"))?
            }
            ValueRef::Integer(seconds) => Utc
                .fix()
                .timestamp_opt(seconds, 0)
                .single()
                .ok_or_else(|| format!("invalid datetime: {seconds}"))?,
            ValueRef::Real(days) => {
                from_julian_day(days).ok_or_else(|| format!("invalid datetime: {days}"))?
            }
            other => return Err(mismatch("a date-time (TEXT)", other)),
        };
        Ok(parsed)
    }

    fn from_text(value: &str) -> Option<DateTime<FixedOffset>> {
        if let Ok(at) = DateTime::parse_from_rfc3339(value) {
            return Some(at);
        }
        // sqlx-sqlite's list (after Diesel's), most likely first.
        const FORMATS: [&str; 12] = [
            "%F %T%.f",
            "%F %R",
            "%F %RZ",
            "%F %R%:z",
            "%F %T%.fZ",
            "%F %T%.f%:z",
            "%FT%R",
            "%FT%RZ",
            "%FT%R%:z",
            "%FT%T%.f",
            "%FT%T%.fZ",
            "%FT%T%.f%:z",
        ];
        FORMATS.iter().find_map(|format| {
            DateTime::parse_from_str(value, format).ok().or_else(|| {
                NaiveDateTime::parse_from_str(value, format)
                    .ok()
                    .map(|naive| Utc.fix().from_utc_datetime(&naive))
            })
        })
    }

    /// SQLite's `julianday()`.
    fn from_julian_day(days: f64) -> Option<DateTime<FixedOffset>> {
        const UNIX_EPOCH_IN_JULIAN_DAYS: f64 = 2_440_587.5;
        let seconds = (days - UNIX_EPOCH_IN_JULIAN_DAYS) * 86_400.0;
        if !seconds.is_finite() {
            return None;
        }
        // Lossy as sqlx-sqlite's: a float of days has no exact second.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let (whole, nanos) = (seconds.trunc() as i64, (seconds.fract() * 1e9).abs() as u32);
        Utc.fix().timestamp_opt(whole, nanos).single()
    }
}

#[cfg(feature = "time")]
mod time_types {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description as fd;
    use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

    use super::*;

    impl LiteValue for OffsetDateTime {
        fn to_lite(&self) -> Result<Value, BindError> {
            Ok(Value::Text(self.format(&Rfc3339)?))
        }

        fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
            match value {
                ValueRef::Text(_) => {
                    let stored = text(value, "a date-time")?;
                    offset_from_text(stored)
                        .ok_or_else(|| format!("invalid offset datetime: {stored}").into())
                }
                ValueRef::Integer(seconds) => Ok(OffsetDateTime::from_unix_timestamp(seconds)?),
                other => Err(mismatch("a date-time (TEXT)", other)),
            }
        }
    }

    impl LiteValue for PrimitiveDateTime {
        fn to_lite(&self) -> Result<Value, BindError> {
            let format = fd!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond]");
            Ok(Value::Text(self.format(&format)?))
        }

        fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
            match value {
                ValueRef::Text(_) => {
                    let stored = text(value, "a date-time")?;
                    primitive_from_text(stored)
                        .ok_or_else(|| format!("invalid datetime: {stored}").into())
                }
                ValueRef::Integer(seconds) => {
                    let at = OffsetDateTime::from_unix_timestamp(seconds)?;
                    Ok(PrimitiveDateTime::new(at.date(), at.time()))
                }
                other => Err(mismatch("a date-time (TEXT)", other)),
            }
        }
    }

    impl LiteValue for Date {
        fn to_lite(&self) -> Result<Value, BindError> {
            Ok(Value::Text(self.format(&fd!("[year]-[month]-[day]"))?))
        }

        fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
            let stored = text(value, "a date (TEXT)")?;
            Ok(Date::parse(stored, &fd!("[year]-[month]-[day]"))?)
        }
    }

    impl LiteValue for Time {
        fn to_lite(&self) -> Result<Value, BindError> {
            let format = fd!("[hour]:[minute]:[second].[subsecond]");
            Ok(Value::Text(self.format(&format)?))
        }

        fn from_lite(value: ValueRef<'_>) -> Result<Self, BoxDynError> {
            let stored = text(value, "a time (TEXT)")?;
            let formats = [
                fd!("[hour]:[minute]:[second].[subsecond]"),
                fd!("[hour]:[minute]:[second]"),
                fd!("[hour]:[minute]"),
            ];
            formats
                .iter()
                .find_map(|format| Time::parse(stored, format).ok())
                .ok_or_else(|| format!("invalid time: {stored}").into())
        }
    }

    fn offset_from_text(value: &str) -> Option<OffsetDateTime> {
        // sqlx-sqlite's order: RFC 3339, its lenient offset format, then a
        // date-time without offset taken as UTC.
        let lenient = fd!(
            "[year]-[month]-[day][optional [ ]][optional [T]][hour]:[minute][optional [:]][optional [[second]]][optional [.]][optional [[subsecond]]][optional [[offset_hour sign:mandatory]]][optional [:]][optional [[offset_minute]]]"
        );
        OffsetDateTime::parse(value, &Rfc3339)
            .or_else(|_| OffsetDateTime::parse(value, &lenient))
            .ok()
            .or_else(|| primitive_from_text(value).map(PrimitiveDateTime::assume_utc))
    }

    fn primitive_from_text(value: &str) -> Option<PrimitiveDateTime> {
        let formats = [
            fd!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond]"),
            fd!(
                "[year]-[month]-[day] [hour]:[minute][optional [:]][optional [[second]]][optional [.]][optional [[subsecond]]][optional [Z]]"
            ),
            fd!(
                "[year]-[month]-[day]T[hour]:[minute][optional [:]][optional [[second]]][optional [.]][optional [[subsecond]]][optional [Z]]"
            ),
        ];
        formats
            .iter()
            .find_map(|format| PrimitiveDateTime::parse(value, format).ok())
    }
}
