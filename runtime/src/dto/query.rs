//! Deserialising DTOs from URL query strings: see the `dto` module docs.

use std::collections::HashMap;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::forward_to_deserialize_any;

use super::error::{QueryError, QueryErrorKind};
use super::limits::{self, MAX_QUERY_LEN, MAX_QUERY_PAIRS};

/// Nesting deeper than this in one key is refused.
const MAX_DEPTH: usize = 16;

impl de::Error for QueryError {
    fn custom<T: std::fmt::Display>(message: T) -> Self {
        let message = message.to_string();
        QueryError {
            kind: limits::pending_kind(&message),
            key: String::new(),
            message,
        }
    }
}

/// Deserialises `T` from a query string (with or without the leading `?`),
/// in the format described in the [`dto` module](crate::dto#query-strings).
///
/// A query longer than [`MAX_QUERY_LEN`] bytes or with more than
/// [`MAX_QUERY_PAIRS`] pairs is refused before it is parsed
/// ([`QueryErrorKind::TooLong`], [`QueryErrorKind::TooManyPairs`]).
pub fn from_query_str<T: DeserializeOwned>(query: &str) -> Result<T, QueryError> {
    let query = query.strip_prefix('?').unwrap_or(query);
    if query.len() > MAX_QUERY_LEN {
        return Err(QueryError::new(
            QueryErrorKind::TooLong,
            "",
            format!("the query string is longer than {MAX_QUERY_LEN} bytes"),
        ));
    }
    limits::clear_pending();
    let root = parse(query)?;
    T::deserialize(NodeDe {
        node: &root,
        path: String::new(),
    })
}

/// The parsed query: leaves keep their raw (undecoded) occurrences, so that
/// list splitting happens before `%2C` is decoded. Maps keep their keys in
/// first-seen order, with an index to find a key without a scan.
#[derive(Debug)]
enum Node {
    Leaf(Vec<String>),
    Map(Vec<(String, Node)>, HashMap<String, usize>),
}

fn parse(query: &str) -> Result<Node, QueryError> {
    let mut root = Node::Map(Vec::new(), HashMap::new());
    for (n, pair) in query.split('&').filter(|p| !p.is_empty()).enumerate() {
        if n >= MAX_QUERY_PAIRS {
            return Err(QueryError::new(
                QueryErrorKind::TooManyPairs,
                "",
                format!("the query string has more than {MAX_QUERY_PAIRS} pairs"),
            ));
        }
        let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = decode(raw_key).map_err(|m| QueryError::at(raw_key, m))?;
        let segments: Vec<&str> = key.split('.').collect();
        if segments.iter().any(|s| s.is_empty()) {
            return Err(QueryError::at(&key, "empty key segment"));
        }
        if segments.len() > MAX_DEPTH {
            return Err(QueryError::at(
                &key,
                format!("nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        let mut node = &mut root;
        for (i, segment) in segments.iter().enumerate() {
            let last = i + 1 == segments.len();
            let Node::Map(entries, index) = node else {
                return Err(QueryError::at(
                    &key,
                    "is given both a value and nested keys",
                ));
            };
            let position = match index.get(*segment) {
                Some(position) => *position,
                None => {
                    let child = if last {
                        Node::Leaf(Vec::new())
                    } else {
                        Node::Map(Vec::new(), HashMap::new())
                    };
                    entries.push(((*segment).to_owned(), child));
                    index.insert((*segment).to_owned(), entries.len() - 1);
                    entries.len() - 1
                }
            };
            node = &mut entries[position].1;
        }
        match node {
            Node::Leaf(values) => values.push(raw_value.to_owned()),
            Node::Map(..) => {
                return Err(QueryError::at(
                    &key,
                    "is given both a value and nested keys",
                ));
            }
        }
    }
    Ok(root)
}

/// Decodes `+` and `%XX`.
fn decode(raw: &str) -> Result<String, String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => return Err("`%` must be followed by two hex digits".into()),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "percent-encoded bytes are not UTF-8".to_owned())
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

struct NodeDe<'a> {
    node: &'a Node,
    path: String,
}

impl NodeDe<'_> {
    /// The single decoded value of a leaf.
    fn scalar(&self) -> Result<ScalarDe, QueryError> {
        match self.node {
            Node::Leaf(values) => match values.as_slice() {
                [one] => Ok(ScalarDe {
                    text: decode(one).map_err(|m| QueryError::at(&self.path, m))?,
                    path: self.path.clone(),
                }),
                _ => Err(QueryError::at(
                    &self.path,
                    "is given more than once; only lists may repeat",
                )),
            },
            Node::Map(..) => Err(QueryError::at(
                &self.path,
                "expected a value, found nested keys",
            )),
        }
    }

    /// The decoded items of a list leaf.
    fn items(&self) -> Result<Vec<ScalarDe>, QueryError> {
        let Node::Leaf(values) = self.node else {
            return Err(QueryError::at(
                &self.path,
                "expected a list, found nested keys",
            ));
        };
        let mut out = Vec::new();
        for raw in values {
            for part in raw.split(',').filter(|p| !p.is_empty()) {
                out.push(ScalarDe {
                    text: decode(part).map_err(|m| QueryError::at(&self.path, m))?,
                    path: self.path.clone(),
                });
            }
        }
        Ok(out)
    }
}

macro_rules! forward_to_scalar {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
            self.scalar()?.$method(visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for NodeDe<'_> {
    type Error = QueryError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        match self.node {
            Node::Map(..) => self.deserialize_map(visitor),
            Node::Leaf(values) if values.len() > 1 => self.deserialize_seq(visitor),
            Node::Leaf(_) => self.scalar()?.deserialize_any(visitor),
        }
    }

    forward_to_scalar! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string
        deserialize_bytes deserialize_byte_buf deserialize_unit deserialize_identifier
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        // `page=` (an empty form field) means "not given".
        match self.node {
            Node::Leaf(values) if values.iter().all(String::is_empty) => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_seq(Items {
            items: self.items()?.into_iter(),
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        let items = self.items()?;
        if items.len() != len {
            // `between=1,2,3` must not drop its third value.
            return Err(QueryError::at(
                &self.path,
                format!("invalid length {}, expected {len} values", items.len()),
            ));
        }
        visitor.visit_seq(Items {
            items: items.into_iter(),
        })
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        match self.node {
            Node::Map(entries, _) => visitor.visit_map(Entries {
                entries: entries.iter(),
                path: self.path,
                current: None,
            }),
            // A field given without operator: `status=open` means `status.eq=open`.
            Node::Leaf(_) => visitor.visit_map(Shorthand { value: Some(self) }),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        self.scalar()?.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_unit()
    }
}

struct Entries<'a> {
    entries: std::slice::Iter<'a, (String, Node)>,
    path: String,
    current: Option<&'a (String, Node)>,
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = QueryError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, QueryError> {
        let Some(entry) = self.entries.next() else {
            return Ok(None);
        };
        self.current = Some(entry);
        let path = join(&self.path, &entry.0);
        seed.deserialize(entry.0.as_str().into_deserializer())
            .map(Some)
            .map_err(|e: QueryError| e.in_key(&path))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, QueryError> {
        let Some((key, node)) = self.current.take() else {
            return Err(QueryError::at(&self.path, "value requested before its key"));
        };
        let path = join(&self.path, key);
        seed.deserialize(NodeDe {
            node,
            path: path.clone(),
        })
        .map_err(|e| e.in_key(&path))
    }
}

struct Shorthand<'a> {
    value: Option<NodeDe<'a>>,
}

impl<'de> MapAccess<'de> for Shorthand<'_> {
    type Error = QueryError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, QueryError> {
        match &self.value {
            Some(_) => seed.deserialize("eq".into_deserializer()).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, QueryError> {
        match self.value.take() {
            Some(value) => {
                let path = value.path.clone();
                seed.deserialize(value).map_err(|e| e.in_key(&path))
            }
            None => Err(de::Error::custom("value requested twice")),
        }
    }
}

struct Items {
    items: std::vec::IntoIter<ScalarDe>,
}

impl<'de> SeqAccess<'de> for Items {
    type Error = QueryError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, QueryError> {
        match self.items.next() {
            Some(item) => {
                let path = item.path.clone();
                seed.deserialize(item)
                    .map(Some)
                    .map_err(|e| e.in_key(&path))
            }
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// One decoded value, parsed by the type that asks for it.
struct ScalarDe {
    text: String,
    path: String,
}

impl ScalarDe {
    fn parse<T: std::str::FromStr>(&self, expected: &str) -> Result<T, QueryError> {
        self.text
            .parse()
            .map_err(|_| QueryError::at(&self.path, format!("`{}` is not {expected}", self.text)))
    }
}

macro_rules! scalar_parse {
    ($($method:ident => $visit:ident: $ty:ty, $expected:literal;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
            let value: $ty = self.parse($expected)?;
            visitor.$visit(value)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for ScalarDe {
    type Error = QueryError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_string(self.text)
    }

    scalar_parse! {
        deserialize_bool => visit_bool: bool, "`true` or `false`";
        deserialize_i8 => visit_i8: i8, "an integer from -128 to 127";
        deserialize_i16 => visit_i16: i16, "an integer from -32768 to 32767";
        deserialize_i32 => visit_i32: i32, "a 32-bit integer";
        deserialize_i64 => visit_i64: i64, "a 64-bit integer";
        deserialize_i128 => visit_i128: i128, "an integer";
        deserialize_u8 => visit_u8: u8, "an integer from 0 to 255";
        deserialize_u16 => visit_u16: u16, "an integer from 0 to 65535";
        deserialize_u32 => visit_u32: u32, "a non-negative 32-bit integer";
        deserialize_u64 => visit_u64: u64, "a non-negative integer";
        deserialize_u128 => visit_u128: u128, "a non-negative integer";
        deserialize_f32 => visit_f32: f32, "a number";
        deserialize_f64 => visit_f64: f64, "a number";
        deserialize_char => visit_char: char, "a single character";
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        let path = self.path;
        visitor
            .visit_enum(self.text.into_deserializer())
            .map_err(|e: QueryError| e.in_key(&path))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_seq(Items {
            items: vec![self].into_iter(),
        })
    }

    fn deserialize_map<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, QueryError> {
        Err(QueryError::at(
            &self.path,
            "expected nested keys, found a value",
        ))
    }

    forward_to_deserialize_any! {
        str string bytes byte_buf unit unit_struct tuple tuple_struct struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::dto::sort::tests::Key;
    use crate::dto::{Filter, SortList, kind};

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Search {
        name: Option<Filter<String, kind::Text>>,
        age: Option<Filter<i32, kind::Ord>>,
        id: Option<Filter<uuid::Uuid, kind::Nullable<kind::Eq>>>,
        sort: Option<SortList<Key>>,
        page: Option<u32>,
        flag: Option<bool>,
    }

    fn search(query: &str) -> Result<Search, QueryError> {
        from_query_str(query)
    }

    #[test]
    fn every_operator_parses() {
        let s = search(
            "name.eq=a&name.ne=b&name.in=c,d&name.not_in=e&name.contains=f&name.starts_with=g&name.ends_with=h\
             &name.icontains=i&name.istarts_with=j&name.iends_with=k\
             &age.lt=1&age.lte=2&age.gt=3&age.gte=4&age.between=5,6&age.in=7&age.in=8\
             &id.is_null=true&sort=-created_at,name&page=2&flag=false",
        )
        .expect("parses");
        let name = Filter::new()
            .eq("a".into())
            .ne("b".into())
            .in_(["c".into(), "d".into()])
            .not_in(["e".into()]);
        let name = name
            .contains("f")
            .starts_with("g")
            .ends_with("h")
            .icontains("i")
            .istarts_with("j")
            .iends_with("k");
        assert_eq!(s.name, Some(name));
        assert_eq!(
            s.age,
            Some(
                Filter::new()
                    .lt(1)
                    .lte(2)
                    .gt(3)
                    .gte(4)
                    .between(5, 6)
                    .in_([7, 8])
            )
        );
        assert_eq!(s.id, Some(Filter::new().is_null(true)));
        assert_eq!(s.sort.map(|s| s.0.len()), Some(2));
        assert_eq!((s.page, s.flag), (Some(2), Some(false)));
    }

    #[test]
    fn decoding_shorthand_and_literal_commas() {
        let s = search("name=a+b%2Cc&age.in=1,2").expect("parses");
        assert_eq!(s.name, Some(Filter::new().eq("a b,c".into())));
        let s = search("name.in=a%2Cb,c").expect("parses");
        assert_eq!(s.name, Some(Filter::new().in_(["a,b".into(), "c".into()])));
        let s = search("name.contains=50%25_off").expect("parses");
        assert_eq!(s.name, Some(Filter::new().contains("50%_off")));
        assert_eq!(search("").expect("empty"), search("?").expect("just ?"));
    }

    #[test]
    fn errors_name_the_key() {
        let cases = [
            ("age.gte=x", "age.gte", "`x` is not a 32-bit integer"),
            ("age.gte=1&age.gte=2", "age.gte", "more than once"),
            ("age.lt=99999999999", "age.lt", "not a 32-bit integer"),
            ("nmae.eq=x", "nmae", "unknown field"),
            (
                "age.bigger=1",
                "age.bigger",
                "unknown filter operator `bigger`",
            ),
            ("age.contains=1", "age.contains", "does not apply"),
            ("sort=-password", "sort", "unknown sort key `password`"),
            ("page=-1", "page", "not a non-negative 32-bit integer"),
            ("flag=yes", "flag", "`true` or `false`"),
            ("name=%zz", "name", "two hex digits"),
            ("name=%ff", "name", "not UTF-8"),
            ("age=1&age.gte=2", "age.gte", "both a value and nested keys"),
            (
                "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q=1",
                "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q",
                "nested deeper",
            ),
            ("age.between=1", "age.between", "invalid length"),
        ];
        for (query, key, message) in cases {
            let error = search(query).expect_err(query);
            assert_eq!(error.key(), key, "{query}: {error}");
            assert!(error.to_string().contains(message), "{query}: {error}");
        }
    }

    /// Arbitrary input never panics: it parses or yields a `QueryError`.
    #[test]
    fn arbitrary_input_never_panics() {
        const ALPHABET: &[u8] = b"&=.,%+?-_09azAZ\\'\" agensmtpcoqlirdf";
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 40) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            let query = String::from_utf8_lossy(&bytes);
            let _ = search(&query);
        }
        for keys in [
            "age.gte=1",
            "name.in=",
            "sort=",
            "page=",
            "id.eq=00000000-0000-0000-0000-000000000000",
        ] {
            search(keys).unwrap_or_else(|e| panic!("{keys}: {e}"));
        }
    }
}
