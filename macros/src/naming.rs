//! Names: the default table name, identifier rules, "did you mean".

/// `OrderItem` → `order_item`; `HTTPLog` → `http_log`.
pub(crate) fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_uppercase();
            if i > 0 && (prev_lower || (prev_upper && next_lower)) && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The longest identifier every dialect accepts (PostgreSQL: 63 bytes).
pub(crate) const MAX_IDENT: usize = 63;

/// Why `name` cannot be a table, schema or column name, if it cannot.
pub(crate) fn identifier_problem(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Some("an SQL identifier cannot be empty".into());
    };
    if !(first.is_ascii_alphabetic() || first == '_') {
        return Some(format!(
            "`{name}` is not a valid SQL identifier: it must start with a letter or `_`"
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        return Some(format!(
            "`{name}` is not a valid SQL identifier: `{bad}` is not allowed; use letters, digits and `_`"
        ));
    }
    if name.len() > MAX_IDENT {
        return Some(format!(
            "`{name}` is {} bytes long; identifiers are limited to {MAX_IDENT} (PostgreSQL's limit)",
            name.len()
        ));
    }
    if name.to_ascii_lowercase().starts_with("sqlite_") {
        return Some(format!(
            "`{name}` is reserved: SQLite keeps names starting with `sqlite_` for itself"
        ));
    }
    None
}

/// Why `name` cannot be a constraint or index name given with
/// `name = "…"`, `fk_name` or `primary_key_name`, if it cannot. Such names
/// are always quoted, so capitals, hyphens and spaces are fine; quote
/// characters, `.` and `\\` are not (error messages and qualified names
/// could not be read back), nor SQLite's reserved `sqlite_` prefix.
pub(crate) fn constraint_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("a constraint name cannot be empty".into());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| matches!(c, '"' | '`' | '\'' | '.' | '\\') || c.is_control())
    {
        return Some(format!(
            "`{name}` cannot name a constraint: {bad:?} is not allowed (quotes, `.`, `\\` and control characters cannot be read back from error messages)"
        ));
    }
    if name.len() > MAX_IDENT {
        return Some(format!(
            "`{name}` is {} bytes long; constraint names are limited to {MAX_IDENT} (PostgreSQL's limit; MySQL's is 64)",
            name.len()
        ));
    }
    if name.to_ascii_lowercase().starts_with("sqlite_") {
        return Some(format!(
            "`{name}` is reserved: SQLite keeps names starting with `sqlite_` for itself"
        ));
    }
    None
}

/// The candidate closest to `got`, if one is close enough to be a typo.
pub(crate) fn did_you_mean<'a>(got: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (distance(got, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(cur)
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_rule() {
        assert_eq!(snake_case("User"), "user");
        assert_eq!(snake_case("OrderItem"), "order_item");
        assert_eq!(snake_case("HTTPLog"), "http_log");
        assert_eq!(snake_case("Item2Tag"), "item2_tag");
    }

    #[test]
    fn identifiers() {
        assert!(identifier_problem("order").is_none());
        assert!(identifier_problem("_x1").is_none());
        assert!(identifier_problem("1x").is_some());
        assert!(identifier_problem("a b").is_some());
        assert!(identifier_problem("sqlite_master").is_some());
        assert!(identifier_problem(&"x".repeat(64)).is_some());
    }

    #[test]
    fn constraint_names() {
        assert!(constraint_name_problem("Users-PK").is_none());
        assert!(constraint_name_problem("users_pkey").is_none());
        assert!(constraint_name_problem("with space").is_none());
        assert!(constraint_name_problem("").is_some());
        assert!(constraint_name_problem("a.b").is_some());
        assert!(constraint_name_problem("a\"b").is_some());
        assert!(constraint_name_problem("sqlite_x").is_some());
        assert!(constraint_name_problem(&"x".repeat(63)).is_none());
        assert!(constraint_name_problem(&"x".repeat(64)).is_some());
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("primary_kye", &["primary_key", "unique"]),
            Some("primary_key")
        );
        assert_eq!(did_you_mean("zzz", &["primary_key", "unique"]), None);
    }
}
