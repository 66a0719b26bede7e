//! Typed sort orders: a key per sortable column, never a free string.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// The sortable columns of one entity. `#[derive(Entity)]` generates an
/// enum implementing it (`UserSort`), one variant per sortable field.
pub trait SortKey: Copy + Eq + fmt::Debug + Send + Sync + 'static {
    /// Every key, in field order.
    const ALL: &'static [Self];
    /// The name used in query strings and JSON (the field's name).
    fn name(self) -> &'static str;
    /// The column sorted by.
    fn column(self) -> &'static str;
    /// The key called `name`.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.name() == name)
    }
}

/// One sort criterion: a key and a direction. Written `name` (ascending) or
/// `-name` (descending); `+name` is accepted too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Sort<K> {
    /// What to sort by.
    pub key: K,
    /// Largest first.
    pub descending: bool,
}

impl<K: SortKey> Sort<K> {
    /// Ascending by `key`.
    pub fn asc(key: K) -> Self {
        Sort {
            key,
            descending: false,
        }
    }

    /// Descending by `key`.
    pub fn desc(key: K) -> Self {
        Sort {
            key,
            descending: true,
        }
    }

    /// Parses `name`, `-name` or `+name`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (descending, name) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        match K::from_name(name) {
            Some(key) => Ok(Sort { key, descending }),
            None => {
                let names: Vec<&str> = K::ALL.iter().map(|k| k.name()).collect();
                Err(format!(
                    "unknown sort key `{name}`; expected one of: {}",
                    names.join(", ")
                ))
            }
        }
    }
}

impl<K: SortKey> fmt::Display for Sort<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.descending {
            f.write_str("-")?;
        }
        f.write_str(self.key.name())
    }
}

impl<K: SortKey> Serialize for Sort<K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de, K: SortKey> Deserialize<'de> for Sort<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Sort::parse(&text).map_err(de::Error::custom)
    }
}

/// Sort criteria, most significant first. Deserialises from a list
/// (`["-created_at", "name"]`) or one comma-separated string
/// (`"-created_at,name"`, as in `?sort=-created_at,name`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SortList<K>(pub Vec<Sort<K>>);

impl<K> Default for SortList<K> {
    fn default() -> Self {
        SortList(Vec::new())
    }
}

impl<K> SortList<K> {
    /// Whether no order is given.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: SortKey> Serialize for SortList<K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, K: SortKey> Deserialize<'de> for SortList<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor<K>(PhantomData<K>);

        impl<'de, K: SortKey> Visitor<'de> for ListVisitor<K> {
            type Value = SortList<K>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "sort keys, as a list or a comma-separated string such as \"-created_at,name\"",
                )
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
                text.split(',')
                    .map(str::trim)
                    .filter(|part| !part.is_empty())
                    .map(|part| Sort::parse(part).map_err(E::custom))
                    .collect::<Result<_, _>>()
                    .map(SortList)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(sort) = seq.next_element::<Sort<K>>()? {
                    out.push(sort);
                }
                Ok(SortList(out))
            }
        }

        deserializer.deserialize_any(ListVisitor(PhantomData))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub(crate) enum Key {
        Name,
        CreatedAt,
    }

    impl SortKey for Key {
        const ALL: &'static [Self] = &[Key::Name, Key::CreatedAt];
        fn name(self) -> &'static str {
            match self {
                Key::Name => "name",
                Key::CreatedAt => "created_at",
            }
        }
        fn column(self) -> &'static str {
            self.name()
        }
    }

    #[test]
    fn sorts_parse_from_strings_and_lists() {
        let expected = SortList(vec![Sort::desc(Key::CreatedAt), Sort::asc(Key::Name)]);
        let from_str: SortList<Key> =
            serde_json::from_str(r#""-created_at, +name""#).expect("string");
        let from_list: SortList<Key> =
            serde_json::from_str(r#"["-created_at", "name"]"#).expect("list");
        assert_eq!(from_str, expected);
        assert_eq!(from_list, expected);
        assert_eq!(
            serde_json::to_string(&expected).expect("serialises"),
            r#"["-created_at","name"]"#
        );
    }

    #[test]
    fn unknown_keys_are_named() {
        let error =
            serde_json::from_str::<SortList<Key>>(r#""-password""#).expect_err("not sortable");
        assert!(
            error
                .to_string()
                .contains("unknown sort key `password`; expected one of: name, created_at"),
            "{error}"
        );
    }
}
