//! Constraint and index names built from parts, at compile time (in
//! generated constants) or at run time, the same way.

/// The longest identifier every dialect accepts (PostgreSQL: 63 bytes).
pub const MAX_IDENT: usize = 63;

/// Length of the identifier [`ident_bytes`] builds from `parts`.
pub const fn ident_len(parts: &[&str]) -> usize {
    let total = total_len(parts);
    if total > MAX_IDENT { MAX_IDENT } else { total }
}

/// Concatenates `parts` into a constraint or index name. A name longer than
/// [`MAX_IDENT`] keeps its first 54 bytes, then `_` and 8 hex digits of a
/// hash (FNV-1a) of the whole name, so long names stay distinct and
/// deterministic.
pub const fn ident_bytes<const N: usize>(parts: &[&str]) -> [u8; N] {
    let mut out = [0u8; N];
    let total = total_len(parts);
    let keep = if total > MAX_IDENT {
        MAX_IDENT - 9
    } else {
        total
    };
    let mut hash: u32 = 0x811c_9dc5;
    let mut written = 0;
    let mut p = 0;
    while p < parts.len() {
        let bytes = parts[p].as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            hash ^= bytes[i] as u32;
            hash = hash.wrapping_mul(0x0100_0193);
            if written < keep && written < N {
                out[written] = bytes[i];
                written += 1;
            }
            i += 1;
        }
        p += 1;
    }
    if total > MAX_IDENT && N == MAX_IDENT {
        out[keep] = b'_';
        let hex = b"0123456789abcdef";
        let mut d = 0;
        while d < 8 {
            out[keep + 1 + d] = hex[((hash >> (28 - 4 * d)) & 0xf) as usize];
            d += 1;
        }
    }
    out
}

/// The bytes built by [`ident_bytes`] as text. Identifiers are ASCII (the
/// derive checks them), so this never fails; if it did, compilation would.
pub const fn ident_str(bytes: &'static [u8]) -> &'static str {
    match core::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(_) => panic!("identifier is not UTF-8"),
    }
}

/// [`ident_bytes`] at run time, for names built from runtime parts (the
/// CHECK constraint of an enum column: whether a column is an enum is
/// known from its type's constant only).
pub fn ident_string(parts: &[&str]) -> String {
    let bytes: [u8; MAX_IDENT] = ident_bytes(parts);
    String::from_utf8_lossy(&bytes[..ident_len(parts)]).into_owned()
}

const fn total_len(parts: &[&str]) -> usize {
    let mut total = 0;
    let mut p = 0;
    while p < parts.len() {
        total += parts[p].len();
        p += 1;
    }
    total
}
