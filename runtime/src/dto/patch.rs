//! [`Patch<T>`]: a field that may be absent, distinct from one set to null.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One field of a partial update: left out, or given a value.
///
/// For a nullable column the value is itself an `Option`, so the three
/// cases a PATCH needs stay distinct, in Rust and in JSON:
///
/// | JSON | `Patch<Option<String>>` | meaning |
/// |---|---|---|
/// | key absent | `Patch::Absent` | leave the column as it is |
/// | `"nick": null` | `Patch::Set(None)` | set it to NULL |
/// | `"nick": "x"` | `Patch::Set(Some("x"))` | set it to `'x'` |
///
/// For a non-nullable column, `Patch<String>` rejects `null`.
///
/// In a struct, give the field `#[serde(default, skip_serializing_if =
/// "Patch::is_absent")]` (generated DTOs do) so that an absent key becomes
/// `Absent` and `Absent` is not written out.
///
/// ```
/// use entable::dto::Patch;
///
/// #[derive(serde::Deserialize, serde::Serialize)]
/// struct UserPatch {
///     #[serde(default, skip_serializing_if = "Patch::is_absent")]
///     nick: Patch<Option<String>>,
/// }
///
/// let absent: UserPatch = serde_json::from_str("{}").unwrap();
/// let null: UserPatch = serde_json::from_str(r#"{"nick": null}"#).unwrap();
/// assert_eq!(absent.nick, Patch::Absent);
/// assert_eq!(null.nick, Patch::Set(None));
/// assert_eq!(serde_json::to_string(&absent).unwrap(), "{}");
/// assert_eq!(serde_json::to_string(&null).unwrap(), r#"{"nick":null}"#);
/// ```
// `Default` derived on an enum puts no bound on `T`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Patch<T> {
    /// Not given: leave the column unchanged (or, on create, use its default).
    #[default]
    Absent,
    /// Given: write this value.
    Set(T),
}

impl<T> Patch<T> {
    /// Whether the field was left out.
    pub const fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }

    /// Whether a value was given.
    pub const fn is_set(&self) -> bool {
        matches!(self, Patch::Set(_))
    }

    /// The value, if given.
    pub fn as_set(&self) -> Option<&T> {
        match self {
            Patch::Set(value) => Some(value),
            Patch::Absent => None,
        }
    }

    /// The value, if given.
    pub fn into_set(self) -> Option<T> {
        match self {
            Patch::Set(value) => Some(value),
            Patch::Absent => None,
        }
    }

    /// Applies `f` to a given value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Patch::Set(value) => Patch::Set(f(value)),
            Patch::Absent => Patch::Absent,
        }
    }
}

impl<T> From<T> for Patch<T> {
    fn from(value: T) -> Self {
        Patch::Set(value)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Patch::Set(value) => value.serialize(serializer),
            // Reached only without `skip_serializing_if`: the closest
            // thing to "nothing" a serializer knows.
            Patch::Absent => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Patch::Set)
    }
}

#[cfg(test)]
mod tests {
    use super::Patch;

    #[derive(serde::Deserialize, serde::Serialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct P {
        #[serde(default, skip_serializing_if = "Patch::is_absent")]
        name: Patch<String>,
        #[serde(default, skip_serializing_if = "Patch::is_absent")]
        nick: Patch<Option<String>>,
    }

    #[test]
    fn absent_null_and_value_are_distinct() {
        let cases = [
            (
                "{}",
                P {
                    name: Patch::Absent,
                    nick: Patch::Absent,
                },
            ),
            (
                r#"{"nick":null}"#,
                P {
                    name: Patch::Absent,
                    nick: Patch::Set(None),
                },
            ),
            (
                r#"{"name":"a","nick":"b"}"#,
                P {
                    name: Patch::Set("a".into()),
                    nick: Patch::Set(Some("b".into())),
                },
            ),
        ];
        for (json, expected) in cases {
            let parsed: P = serde_json::from_str(json).expect(json);
            assert_eq!(parsed, expected);
            assert_eq!(
                serde_json::to_string(&parsed).expect("serialises"),
                json,
                "round trip"
            );
        }
    }

    #[test]
    fn null_is_refused_for_a_non_nullable_field() {
        let error =
            serde_json::from_str::<P>(r#"{"name":null}"#).expect_err("name is not nullable");
        assert!(error.to_string().contains("invalid type: null"), "{error}");
    }
}
