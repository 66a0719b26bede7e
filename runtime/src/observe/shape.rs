//! What a statement's text says about it without running it: its shape
//! id, its verb and its table. Read from the text entable generates (or
//! the text a caller wrote), never from bound values.

/// A stable id of a statement's text: the same for every call of one
/// shape (the values are bound, never part of the text), in every process
/// and every version of entable. A 64-bit FNV-1a hash, shown as 16 hex
/// digits.
///
/// ```
/// use entable::observe::ShapeId;
/// let a = ShapeId::of(r#"SELECT "id" FROM "users" WHERE "id" = $1"#);
/// assert_eq!(a, ShapeId::of(r#"SELECT "id" FROM "users" WHERE "id" = $1"#));
/// assert_eq!(a.to_string().len(), 16);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ShapeId(pub u64);

impl ShapeId {
    /// The id of `sql`.
    pub fn of(sql: &str) -> ShapeId {
        const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        let mut hash = OFFSET;
        for byte in sql.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
        ShapeId(hash)
    }
}

impl std::fmt::Display for ShapeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// The statement's verb, upper case, from a bounded set (a metric label):
/// `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `WITH`, the DDL and transaction
/// verbs, else `OTHER`.
pub fn verb(sql: &str) -> &'static str {
    const VERBS: [&str; 19] = [
        "SELECT",
        "INSERT",
        "UPDATE",
        "DELETE",
        "WITH",
        "REPLACE",
        "CREATE",
        "ALTER",
        "DROP",
        "BEGIN",
        "START",
        "COMMIT",
        "ROLLBACK",
        "SAVEPOINT",
        "RELEASE",
        "SET",
        "PRAGMA",
        "EXPLAIN",
        "COPY",
    ];
    let word = sql
        .trim_start_matches(|c: char| c.is_whitespace() || c == '(')
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    VERBS
        .iter()
        .find(|v| v.eq_ignore_ascii_case(word))
        .copied()
        .unwrap_or("OTHER")
}

/// The first table the statement names after `FROM`, `INTO`, `UPDATE` or
/// `TABLE` (outside quotes), unquoted: what OpenTelemetry calls the
/// statement's collection. `None` for statements naming none (`BEGIN`).
pub fn table(sql: &str) -> Option<&str> {
    let bytes = sql.as_bytes();
    let mut i = 0;
    let mut after_keyword = false;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'"' | b'`' => {
                let end = sql[i + 1..].find(c as char)? + i + 1;
                if after_keyword {
                    return Some(&sql[i + 1..end]);
                }
                i = end + 1;
            }
            b'\'' => {
                // A string literal: skip it ('' inside is two quotes, the
                // loop skips both halves).
                let end = sql[i + 1..].find('\'')? + i + 1;
                i = end + 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.')
                {
                    i += 1;
                }
                let word = &sql[start..i];
                if after_keyword {
                    // `DELETE FROM ONLY t`, `INSERT INTO t`: skip ONLY.
                    if !word.eq_ignore_ascii_case("ONLY") {
                        return Some(word);
                    }
                } else {
                    after_keyword = ["FROM", "INTO", "UPDATE", "TABLE"]
                        .iter()
                        .any(|k| k.eq_ignore_ascii_case(word));
                }
            }
            b'(' if after_keyword => return None,
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_and_tables() {
        assert_eq!(verb(r#"SELECT "a" FROM "users""#), "SELECT");
        assert_eq!(verb("insert into t values (1)"), "INSERT");
        assert_eq!(verb("VACUUM"), "OTHER");
        assert_eq!(
            table(r#"SELECT "a", 'FROM x' FROM "users" WHERE 1"#),
            Some("users")
        );
        assert_eq!(table("INSERT INTO `posts` (a) VALUES (?)"), Some("posts"));
        assert_eq!(table(r#"UPDATE "t" SET "a" = $1"#), Some("t"));
        assert_eq!(table("DELETE FROM ONLY t WHERE id = 1"), Some("t"));
        assert_eq!(table("BEGIN"), None);
        assert_eq!(table("SELECT 1"), None);
        assert_eq!(table("SELECT COUNT(*) FROM (SELECT 1) AS x"), None);
        assert_eq!(table("SELECT 'unterminated"), None);
    }

    #[test]
    fn shape_ids_are_stable() {
        // FNV-1a of the empty string is its offset basis.
        assert_eq!(ShapeId::of("").0, 0xcbf2_9ce4_8422_2325);
        assert_ne!(ShapeId::of("SELECT 1"), ShapeId::of("SELECT 2"));
    }
}
