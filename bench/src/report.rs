//! Criterion's estimates → one markdown table per backend: the median of
//! each contender per workload and size, and entable's ratios to the
//! others, each marked against its target; then the bulk-insert line in
//! rows per second, with the raw `COPY` baseline of PostgreSQL.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::Result;
use crate::contender::{Bulk, Contender};
use crate::contenders::{Entable, NAMES, SqlxCopy};
use crate::durability;
use crate::target::Backend;
use crate::workload::{BULK_RAW_TARGET, Workload};

/// One benchmark's median.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub backend: Backend,
    pub workload: Workload,
    pub contender: String,
    pub size: usize,
    /// Nanoseconds per iteration.
    pub median_ns: f64,
}

/// Where criterion writes: `CRITERION_HOME`, else `criterion/` in
/// `CARGO_TARGET_DIR`, else in this crate's `target/`.
pub fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("criterion")
}

/// Every estimate under `dir` whose id this crate's benchmarks produce
/// (`<backend>/<workload>/<contender>/<size>`); others are ignored.
pub fn load(dir: &Path) -> Result<Vec<Estimate>> {
    let mut out = Vec::new();
    visit(dir, &mut out)?;
    out.sort_by(|a, b| {
        (a.backend, a.workload, a.size, &a.contender).cmp(&(
            b.backend,
            b.workload,
            b.size,
            &b.contender,
        ))
    });
    Ok(out)
}

fn visit(dir: &Path, out: &mut Vec<Estimate>) -> Result<()> {
    let new = dir.join("new");
    if new.join("benchmark.json").is_file() {
        if let Some(estimate) = read(&new)? {
            out.push(estimate);
        }
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e} (run the benchmarks first)", dir.display()))?
    {
        let path = entry?.path();
        if path.is_dir() && path.file_name().is_some_and(|n| n != "report") {
            visit(&path, out)?;
        }
    }
    Ok(())
}

fn read(new: &Path) -> Result<Option<Estimate>> {
    let json = |name: &str| -> Result<serde_json::Value> {
        let text = std::fs::read_to_string(new.join(name))?;
        Ok(serde_json::from_str(&text)?)
    };
    let id = json("benchmark.json")?;
    let text = |key: &str| id.get(key).and_then(serde_json::Value::as_str);
    let (Some(group), Some(contender), Some(size)) =
        (text("group_id"), text("function_id"), text("value_str"))
    else {
        return Ok(None);
    };
    let Some((backend, workload)) = group.split_once('/') else {
        return Ok(None);
    };
    let (Some(backend), Some(workload), Ok(size)) = (
        Backend::from_name(backend),
        Workload::from_id(workload),
        size.parse(),
    ) else {
        return Ok(None);
    };
    let median = json("estimates.json")?
        .pointer("/median/point_estimate")
        .and_then(serde_json::Value::as_f64)
        .ok_or_else(|| format!("{}: no median", new.display()))?;
    Ok(Some(Estimate {
        backend,
        workload,
        contender: contender.to_owned(),
        size,
        median_ns: median,
    }))
}

/// Each backend's durability settings as the benchmark recorded them in
/// `dir` (backends without a record are absent).
pub fn load_durability(dir: &Path) -> Result<BTreeMap<Backend, durability::Table>> {
    let mut out = BTreeMap::new();
    for backend in Backend::ALL {
        if let Some(table) = durability::read(dir, backend)? {
            out.insert(backend, table);
        }
    }
    Ok(out)
}

/// The durability line under a backend's title: each setting with its
/// value when every contender reports the same, or each contender's value,
/// marked, when they differ.
fn durability_line(table: Option<&durability::Table>) -> String {
    let Some(table) = table.filter(|t| !t.is_empty()) else {
        return "Durability: not recorded by this run.".to_owned();
    };
    let names: Vec<&str> = table.iter().map(|(c, _)| contender_title(c)).collect();
    let mut settings = Vec::new();
    for (i, (name, _)) in table[0].1.iter().enumerate() {
        let values: Vec<Option<&str>> = table
            .iter()
            .map(|(_, s)| s.get(i).filter(|(n, _)| n == name).map(|(_, v)| v.as_str()))
            .collect();
        if values.windows(2).all(|w| w[0] == w[1]) {
            settings.push(format!("`{name}` = {}", values[0].unwrap_or("?")));
        } else {
            let each: Vec<String> = names
                .iter()
                .zip(&values)
                .map(|(c, v)| format!("{c} {}", v.unwrap_or("?")))
                .collect();
            settings.push(format!("`{name}` **differs**: {}", each.join(", ")));
        }
    }
    let equal = durability::equal(table);
    format!(
        "Durability, as each contender's own connection reports it: {}{}.",
        settings.join("; "),
        if equal {
            format!(" for every contender ({})", names.join(", "))
        } else {
            String::new()
        }
    )
}

/// What the report calls a contender.
fn contender_title(name: &str) -> &str {
    match name {
        "sea-orm" => "SeaORM",
        "diesel" => "Diesel",
        "sqlx-copy" => "sqlx COPY",
        other => other,
    }
}

/// The whole report: a table per backend that has estimates, each under
/// the durability its contenders ran with (`durability`, from
/// [`load_durability`]).
pub fn render(estimates: &[Estimate], durability: &BTreeMap<Backend, durability::Table>) -> String {
    let mut out = String::new();
    let mut met = 0;
    let mut total = 0;
    for backend in Backend::ALL {
        let rows: BTreeMap<(Workload, usize), BTreeMap<&str, f64>> = estimates
            .iter()
            .filter(|e| e.backend == backend)
            .fold(BTreeMap::new(), |mut rows, e| {
                rows.entry((e.workload, e.size))
                    .or_default()
                    .insert(e.contender.as_str(), e.median_ns);
                rows
            });
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {}\n", backend_title(backend));
        let _ = writeln!(out, "{}\n", durability_line(durability.get(&backend)));
        let _ = writeln!(
            out,
            "| workload | N | sqlx | entable | SeaORM | Diesel | entable ÷ sqlx | entable ÷ SeaORM | entable ÷ Diesel |"
        );
        let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|");
        for ((workload, size), medians) in &rows {
            let cell = |name: &str| match medians.get(name) {
                Some(ns) => format_time(*ns),
                None if name == Entable::NAME && *workload == Workload::BulkInsert => {
                    match Entable::BULK {
                        Bulk::Unsupported(reason) => reason.to_owned(),
                        Bulk::Supported => "—".to_owned(),
                    }
                }
                None => "—".to_owned(),
            };
            let entable = medians.get(Entable::NAME).copied();
            let mut ratio = |other: &str, target: f64| {
                if *workload == Workload::BulkInsert {
                    // Judged in rows per second, in the bulk table.
                    return "see below".to_owned();
                }
                let (Some(entable), Some(other)) = (entable, medians.get(other)) else {
                    return "n/a".to_owned();
                };
                let (text, ok) = ratio_cell(entable / other, target);
                total += 1;
                met += usize::from(ok);
                text
            };
            let sqlx = ratio(NAMES[0], workload.sqlx_target());
            // "Faster than": strictly below 1.
            let sea_orm = ratio(NAMES[2], 1.0 - f64::EPSILON);
            let diesel = ratio(NAMES[3], 1.0 - f64::EPSILON);
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {sqlx} | {sea_orm} | {diesel} |",
                workload.title(),
                format_size(*size),
                cell(NAMES[0]),
                cell(NAMES[1]),
                cell(NAMES[2]),
                cell(NAMES[3]),
            );
        }
        let _ = writeln!(out, "\n{}\n", diesel_note(backend));
    }
    let (bulk_met, bulk_total) = render_bulk(estimates, &mut out);
    met += bulk_met;
    total += bulk_total;
    if estimates.is_empty() {
        out.push_str("No estimates found: run the benchmarks first (`bench/run.sh`).\n");
    } else {
        let _ = writeln!(
            out,
            "Targets met: {met} of {total}. Targets: entable ÷ sqlx ≤ 1.05 on workloads 1, 2, 5 (insert N) and ≤ 1.10 on 3, 4, 6; entable faster than SeaORM and Diesel (ratio < 1); bulk insert: entable ≥ {BULK_RAW_TARGET} of the best raw rows/s and more rows/s than SeaORM and Diesel."
        );
    }
    out
}

/// The raw methods of the bulk line: the contender and what the table
/// calls it.
const RAW_BULK: [(&str, &str); 2] = [(NAMES[0], "VALUES"), (SqlxCopy::NAME, "COPY")];

/// The bulk-insert line of every backend in rows per second, with
/// entable's ratios (rows/s ÷ rows/s, so higher is better): to the best raw
/// method of that backend (at least [`BULK_RAW_TARGET`]), to SeaORM and to
/// Diesel (above 1). Returns the targets met and judged.
fn render_bulk(estimates: &[Estimate], out: &mut String) -> (usize, usize) {
    let (mut met, mut total) = (0, 0);
    let mut rows: BTreeMap<(Backend, usize), BTreeMap<&str, f64>> = BTreeMap::new();
    for e in estimates
        .iter()
        .filter(|e| e.workload == Workload::BulkInsert)
    {
        // Rows per second from the median time of inserting `size` rows.
        let rate = e.size as f64 / (e.median_ns / 1e9);
        rows.entry((e.backend, e.size))
            .or_default()
            .insert(e.contender.as_str(), rate);
    }
    if rows.is_empty() {
        return (0, 0);
    }
    let _ = writeln!(out, "### Bulk insert: rows per second\n");
    let _ = writeln!(
        out,
        "| backend | N | sqlx VALUES | sqlx COPY | entable | SeaORM | Diesel | entable ÷ best raw | entable ÷ SeaORM | entable ÷ Diesel |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for ((backend, size), rates) in &rows {
        let cell = |name: &str| match rates.get(name) {
            Some(rate) => format_count(*rate),
            None if name == Entable::NAME => match Entable::BULK {
                Bulk::Unsupported(reason) => reason.to_owned(),
                Bulk::Supported => "—".to_owned(),
            },
            None => "—".to_owned(),
        };
        let entable = rates.get(Entable::NAME).copied();
        let best_raw = RAW_BULK
            .iter()
            .filter_map(|(name, label)| rates.get(name).map(|rate| (*rate, *label)))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let mut judge = |ratio: Option<f64>, at_least: f64, strictly: bool, label: &str| {
            let Some(ratio) = ratio else {
                return "n/a".to_owned();
            };
            let ok = if strictly {
                ratio > at_least
            } else {
                ratio >= at_least
            };
            total += 1;
            met += usize::from(ok);
            let mark = if ok { "met" } else { "**missed**" };
            format!("{ratio:.2}{label} {mark}")
        };
        let raw = match best_raw {
            Some((rate, label)) => judge(
                entable.map(|e| e / rate),
                BULK_RAW_TARGET,
                false,
                &format!(" of {label}"),
            ),
            None => "n/a".to_owned(),
        };
        let vs = |name: &str| entable.zip(rates.get(name)).map(|(e, o)| e / o);
        let sea_orm = judge(vs(NAMES[2]), 1.0, true, "");
        let diesel = judge(vs(NAMES[3]), 1.0, true, "");
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {raw} | {sea_orm} | {diesel} |",
            backend_title(*backend),
            format_size(*size),
            cell(RAW_BULK[0].0),
            cell(RAW_BULK[1].0),
            cell(NAMES[1]),
            cell(NAMES[2]),
            cell(NAMES[3]),
        );
    }
    let _ = writeln!(
        out,
        "\nRows per second from the median time of inserting N users into an empty table in one transaction (higher is better). sqlx VALUES: multi-row `INSERT … VALUES` chunked to the bind limit; sqlx COPY: one binary `COPY … FROM STDIN` written by hand (PostgreSQL only). entable's ratios are rows/s ÷ rows/s: at least {BULK_RAW_TARGET} of the best raw method of the backend, and above 1 against SeaORM and Diesel.\n"
    );
    (met, total)
}

/// `ratio` as a cell, with whether it meets `target` (at most).
fn ratio_cell(ratio: f64, target: f64) -> (String, bool) {
    let ok = ratio <= target;
    let text = if ok {
        format!("{ratio:.2} met")
    } else {
        format!("{ratio:.2} **missed**")
    };
    (text, ok)
}

fn backend_title(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "PostgreSQL",
        Backend::MySql => "MariaDB / MySQL",
        Backend::Sqlite => "SQLite (file)",
    }
}

fn diesel_note(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => {
            "Diesel here is diesel-async 0.9 (`AsyncPgConnection`, deadpool). Medians per call; every contender checks a connection out of its pool per call."
        }
        Backend::MySql => {
            "Diesel here is synchronous Diesel 2.3 (`MysqlConnection`, r2d2), built with `--features diesel-mysql`; `—` without it. Medians per call."
        }
        Backend::Sqlite => {
            "Diesel here is synchronous Diesel 2.3 (`SqliteConnection`, r2d2), called inline. Medians per call."
        }
    }
}

/// Nanoseconds in the unit that keeps three significant digits readable.
pub fn format_time(ns: f64) -> String {
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    if value < 10.0 {
        format!("{value:.2} {unit}")
    } else if value < 100.0 {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.0} {unit}")
    }
}

/// A rate rounded to a whole number, with thousands separators.
fn format_count(rate: f64) -> String {
    if !rate.is_finite() || rate < 0.0 {
        return "—".to_owned();
    }
    // Rounded and non-negative: the cast only drops the (zero) fraction.
    format_size(rate.round() as usize)
}

/// `10000` → `10,000`.
fn format_size(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_plain(estimates: &[Estimate]) -> String {
        render(estimates, &BTreeMap::new())
    }

    fn estimate(contender: &str, workload: Workload, ns: f64) -> Estimate {
        Estimate {
            backend: Backend::Sqlite,
            workload,
            contender: contender.to_owned(),
            size: 100,
            median_ns: ns,
        }
    }

    #[test]
    fn units_and_sizes() {
        assert_eq!(format_time(950.0), "950 ns");
        assert_eq!(format_time(45_120.0), "45.1 µs");
        assert_eq!(format_time(1_234_567.0), "1.23 ms");
        assert_eq!(format_time(2.5e9), "2.50 s");
        assert_eq!(format_size(100_000), "100,000");
        assert_eq!(format_size(1), "1");
    }

    #[test]
    fn ratios_are_marked_against_their_targets() {
        let report = render_plain(&[
            estimate("sqlx", Workload::Trivial, 100.0),
            estimate("entable", Workload::Trivial, 104.0),
            estimate("sea-orm", Workload::Trivial, 200.0),
            estimate("diesel", Workload::Trivial, 50.0),
        ]);
        assert!(
            report.contains("| 1.04 met | 0.52 met | 2.08 **missed** |"),
            "{report}"
        );
        assert!(report.contains("Targets met: 2 of 3"), "{report}");
    }

    fn bulk(backend: Backend, contender: &str, seconds: f64) -> Estimate {
        Estimate {
            backend,
            workload: Workload::BulkInsert,
            contender: contender.to_owned(),
            size: 100_000,
            median_ns: seconds * 1e9,
        }
    }

    #[test]
    fn bulk_in_rows_per_second_against_the_best_raw_method() {
        let report = render_plain(&[
            // PostgreSQL: COPY is the best raw method (400,000 rows/s).
            bulk(Backend::Postgres, "sqlx", 0.5),
            bulk(Backend::Postgres, "sqlx-copy", 0.25),
            bulk(Backend::Postgres, "entable", 0.3),
            bulk(Backend::Postgres, "sea-orm", 0.8),
            bulk(Backend::Postgres, "diesel", 0.6),
            // SQLite: no COPY, so VALUES; entable below 0.8 of it.
            bulk(Backend::Sqlite, "sqlx", 0.1),
            bulk(Backend::Sqlite, "entable", 0.2),
            bulk(Backend::Sqlite, "sea-orm", 0.25),
            bulk(Backend::Sqlite, "diesel", 0.05),
        ]);
        assert!(
            report.contains(
                "| PostgreSQL | 100,000 | 200,000 | 400,000 | 333,333 | 125,000 | 166,667 | 0.83 of COPY met | 2.67 met | 2.00 met |"
            ),
            "{report}"
        );
        assert!(
            report.contains(
                "| SQLite (file) | 100,000 | 1,000,000 | — | 500,000 | 400,000 | 2,000,000 | 0.50 of VALUES **missed** | 1.25 met | 0.25 **missed** |"
            ),
            "{report}"
        );
        // The per-backend table keeps the times and leaves the judging to
        // the bulk table.
        assert!(
            report.contains("| 5 bulk insert | 100,000 | 500 ms | 300 ms | 800 ms | 600 ms | see below | see below | see below |"),
            "{report}"
        );
        assert!(report.contains("Targets met: 4 of 6"), "{report}");
    }

    #[test]
    fn bulk_ratio_at_exactly_the_target_is_met() {
        let report = render_plain(&[
            bulk(Backend::MySql, "sqlx", 0.8),
            bulk(Backend::MySql, "entable", 1.0),
            bulk(Backend::MySql, "sea-orm", 1.0),
        ]);
        assert!(
            report.contains("| 0.80 of VALUES met | 1.00 **missed** | n/a |"),
            "{report}"
        );
        assert!(report.contains("Targets met: 1 of 2"), "{report}");
    }

    #[test]
    fn bulk_without_entable_is_not_judged() {
        let report = render_plain(&[
            bulk(Backend::Sqlite, "sqlx", 1.0),
            bulk(Backend::Sqlite, "diesel", 1.0),
        ]);
        assert!(report.contains("| n/a | n/a | n/a |"), "{report}");
        assert!(report.contains("Targets met: 0 of 0"), "{report}");
    }

    fn settings(pairs: &[(&str, &str)]) -> durability::Durability {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn durability_printed_under_the_title() {
        let same = settings(&[("journal_mode", "WAL"), ("synchronous", "NORMAL")]);
        let table: durability::Table = ["sqlx", "entable", "sea-orm", "diesel"]
            .iter()
            .map(|c| ((*c).to_owned(), same.clone()))
            .collect();
        let report = render(
            &[estimate("sqlx", Workload::Trivial, 100.0)],
            &BTreeMap::from([(Backend::Sqlite, table)]),
        );
        assert!(
            report.contains(
                "### SQLite (file)\n\nDurability, as each contender's own connection reports it: `journal_mode` = WAL; `synchronous` = NORMAL for every contender (sqlx, entable, SeaORM, Diesel).\n"
            ),
            "{report}"
        );
    }

    #[test]
    fn unequal_durability_is_marked() {
        let table = vec![
            (
                "sqlx".to_owned(),
                settings(&[("journal_mode", "DELETE"), ("synchronous", "FULL")]),
            ),
            (
                "entable".to_owned(),
                settings(&[("journal_mode", "DELETE"), ("synchronous", "NORMAL")]),
            ),
        ];
        let line = durability_line(Some(&table));
        assert_eq!(
            line,
            "Durability, as each contender's own connection reports it: `journal_mode` = DELETE; `synchronous` **differs**: sqlx FULL, entable NORMAL."
        );
        assert_eq!(
            durability_line(None),
            "Durability: not recorded by this run."
        );
    }
}
