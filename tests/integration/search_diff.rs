//! Differential test of searches: random rows (NULLs, Unicode, mixed case,
//! `%`, `_`, `\` in values) and random searches over every operator, with
//! `any_of`/`all_of` nesting, each result compared with the same search
//! evaluated in Rust over the same rows, on every backend.
//!
//! The oracle models where backends legitimately differ: case-insensitive
//! matching is per-character lower-casing on PostgreSQL and MySQL and
//! Unicode simple case folding on SQLite (`ς` matches `σ` there only).
//! Text compares exactly everywhere (MySQL/MariaDB tables use a NO PAD
//! binary collation, so trailing spaces count).
//!
//! `ENTABLE_DIFF_CASES` (default 300) sets the searches per backend.

use entable::backend::Dialect;
use entable::dto::{Condition, Filter, LikeKind};
use entable::prelude::*;

use crate::support::rng::Rng;
use crate::support::{announce, on_every_backend};

#[derive(Entity, Debug, Clone)]
#[entity(max_page_size = 1000)]
pub struct Probe {
    #[entity(primary_key, auto_increment)]
    pub id: i64,
    #[entity(max_length = 40)]
    pub name: String,
    pub note: Option<String>,
    pub n: i32,
    pub flag: bool,
}

const ALPHABET: [&str; 15] = [
    "a", "A", "b", "B", "é", "É", "ß", "σ", "Σ", "ς", "%", "_", "\\", " ", "z",
];

/// Short text over the alphabet.
fn text(rng: &mut Rng, max: usize) -> String {
    let len = rng.below(max + 1);
    (0..len)
        .map(|_| ALPHABET[rng.below(ALPHABET.len())])
        .collect()
}

/// A small integer around zero.
fn int(rng: &mut Rng) -> i32 {
    rng.below(7) as i32 - 3
}

struct Row {
    id: i64,
    name: String,
    note: Option<String>,
    n: i32,
    flag: bool,
}

fn text_filter(
    rng: &mut Rng,
    nullable: bool,
) -> Filter<String, entable::dto::kind::Nullable<entable::dto::kind::Text>> {
    let mut f = Filter::new();
    for _ in 0..1 + rng.below(2) {
        f = match rng.below(if nullable { 11 } else { 10 }) {
            0 => f.eq(text(rng, 3)),
            1 => f.ne(text(rng, 3)),
            2 => f.in_((0..rng.below(4)).map(|_| text(rng, 3)).collect::<Vec<_>>()),
            3 => f.not_in((0..rng.below(4)).map(|_| text(rng, 3)).collect::<Vec<_>>()),
            4 => f.contains(text(rng, 2)),
            5 => f.starts_with(text(rng, 2)),
            6 => f.ends_with(text(rng, 2)),
            7 => f.icontains(text(rng, 2)),
            8 => f.istarts_with(text(rng, 2)),
            9 => f.iends_with(text(rng, 2)),
            _ => f.is_null(rng.below(2) == 0),
        };
    }
    f
}

/// Re-typed for a NOT NULL column (the kinds differ only by `is_null`).
fn not_null(
    f: Filter<String, entable::dto::kind::Nullable<entable::dto::kind::Text>>,
) -> Filter<String, entable::dto::kind::Text> {
    let json = serde_json::to_value(&f).expect("serialises");
    serde_json::from_value(json).expect("no is_null in it")
}

fn search(rng: &mut Rng, depth: usize) -> ProbeSearch {
    let mut s = ProbeSearch::default();
    if rng.below(2) == 0 {
        s.name = Some(not_null(text_filter(rng, false)));
    }
    if rng.below(2) == 0 {
        s.note = Some(text_filter(rng, true));
    }
    if rng.below(3) == 0 {
        let mut f = Filter::new();
        f = match rng.below(9) {
            0 => f.eq(int(rng)),
            1 => f.ne(int(rng)),
            2 => f.in_((0..rng.below(4)).map(|_| int(rng)).collect::<Vec<_>>()),
            3 => f.not_in((0..rng.below(4)).map(|_| int(rng)).collect::<Vec<_>>()),
            4 => f.lt(int(rng)),
            5 => f.lte(int(rng)),
            6 => f.gt(int(rng)),
            7 => f.gte(int(rng)),
            _ => f.between(int(rng), int(rng)),
        };
        s.n = Some(f);
    }
    if rng.below(4) == 0 {
        s.flag = Some(match rng.below(4) {
            0 => Filter::new().eq(rng.below(2) == 0),
            1 => Filter::new().ne(rng.below(2) == 0),
            2 => Filter::new().in_([rng.below(2) == 0]),
            _ => Filter::new().not_in(Vec::<bool>::new()),
        });
    }
    if depth < 2 {
        if rng.below(3) == 0 {
            s.any_of = (0..rng.below(4)).map(|_| search(rng, depth + 1)).collect();
        }
        if rng.below(4) == 0 {
            s.all_of = (0..rng.below(3)).map(|_| search(rng, depth + 1)).collect();
        }
    }
    s
}

/// Text as the backend's `=` sees it: exactly, on every backend.
fn eq_key(_dialect: Dialect, s: &str) -> &str {
    s
}

/// Text as the backend's case-insensitive match sees it.
fn fold(dialect: Dialect, s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let c = if dialect == Dialect::Sqlite && c == 'ς' {
                'σ'
            } else {
                c
            };
            c.to_lowercase()
        })
        .collect()
}

fn like(kind: LikeKind, value: &str, text: &str) -> bool {
    match kind {
        LikeKind::Contains => value.contains(text),
        LikeKind::StartsWith => value.starts_with(text),
        LikeKind::EndsWith => value.ends_with(text),
    }
}

/// SQL truth of `condition` on `value` (NULL: unknown, taken as false,
/// since searches have no negation around it).
fn holds<T: PartialEq + PartialOrd>(
    condition: &Condition<T>,
    value: Option<&T>,
    eq: impl Fn(&T, &T) -> bool,
    text: impl Fn(LikeKind, bool, &str) -> bool,
) -> bool {
    match (condition, value) {
        (Condition::IsNull(null), v) => *null == v.is_none(),
        (Condition::In(list), _) if list.is_empty() => false,
        (Condition::NotIn(list), _) if list.is_empty() => true,
        (_, None) => false,
        (Condition::Eq(x), Some(v)) => eq(v, x),
        (Condition::Ne(x), Some(v)) => !eq(v, x),
        (Condition::In(xs), Some(v)) => xs.iter().any(|x| eq(v, x)),
        (Condition::NotIn(xs), Some(v)) => !xs.iter().any(|x| eq(v, x)),
        (Condition::Lt(x), Some(v)) => v < x,
        (Condition::Lte(x), Some(v)) => v <= x,
        (Condition::Gt(x), Some(v)) => v > x,
        (Condition::Gte(x), Some(v)) => v >= x,
        (Condition::Between(lo, hi), Some(v)) => lo <= v && v <= hi,
        (
            Condition::Like {
                kind,
                case_insensitive,
                text: t,
            },
            Some(_),
        ) => text(*kind, *case_insensitive, t),
    }
}

fn text_holds(dialect: Dialect, conditions: &[Condition<String>], value: Option<&String>) -> bool {
    conditions.iter().all(|c| {
        holds(
            c,
            value,
            |a, b| eq_key(dialect, a) == eq_key(dialect, b),
            |kind, ci, t| {
                let v = value.map_or("", String::as_str);
                if ci {
                    like(kind, &fold(dialect, v), &fold(dialect, t))
                } else {
                    like(kind, v, t)
                }
            },
        )
    })
}

fn matches(dialect: Dialect, s: &ProbeSearch, row: &Row) -> bool {
    let no_text = |_: LikeKind, _: bool, _: &str| false;
    s.name
        .as_ref()
        .is_none_or(|f| text_holds(dialect, f.conditions(), Some(&row.name)))
        && s.note
            .as_ref()
            .is_none_or(|f| text_holds(dialect, f.conditions(), row.note.as_ref()))
        && s.n.as_ref().is_none_or(|f| {
            f.conditions()
                .iter()
                .all(|c| holds(c, Some(&row.n), |a, b| a == b, no_text))
        })
        && s.flag.as_ref().is_none_or(|f| {
            f.conditions()
                .iter()
                .all(|c| holds(c, Some(&row.flag), |a, b| a == b, no_text))
        })
        && (s.any_of.is_empty() || s.any_of.iter().any(|g| matches(dialect, g, row)))
        && s.all_of.iter().all(|g| matches(dialect, g, row))
}

#[tokio::test]
async fn searches_agree_with_a_rust_oracle() {
    let cases: usize = std::env::var("ENTABLE_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    on_every_backend("searches_agree_with_a_rust_oracle", move |t| async move {
        let db = &t.db;
        Schema::of(vec![Probe::table()])
            .expect("schema")
            .create_all(db)
            .await
            .expect("created");
        let mut rng = Rng(0x005e_ed0f_d1ff);
        let mut rows = Vec::new();
        for _ in 0..40 {
            let input = ProbeCreate {
                name: text(&mut rng, 4),
                note: (rng.below(4) != 0).then(|| text(&mut rng, 4)),
                n: int(&mut rng),
                flag: rng.below(2) == 0,
            };
            let row = Probe::create(db, input).await.expect("seeded");
            rows.push(Row {
                id: row.id,
                name: row.name,
                note: row.note,
                n: row.n,
                flag: row.flag,
            });
        }
        let started = std::time::Instant::now();
        for case in 0..cases {
            let mut s = search(&mut rng, 0);
            s.page_size = Some(ProbeSearch::MAX_PAGE_SIZE);
            let mut found: Vec<i64> = Probe::search(db, &s)
                .await
                .unwrap_or_else(|e| panic!("case {case}: {s:?}: {e}"))
                .items
                .iter()
                .map(|p| p.id)
                .collect();
            found.sort();
            let expected: Vec<i64> = rows
                .iter()
                .filter(|r| matches(t.dialect, &s, r))
                .map(|r| r.id)
                .collect();
            assert_eq!(found, expected, "case {case} on {}: {s:?}", t.dialect);
        }
        announce(&format!(
            "searches_agree_with_a_rust_oracle: {cases} searches over 40 rows on {} in {:.1?}",
            t.dialect,
            started.elapsed()
        ));
        t
    })
    .await;
}
