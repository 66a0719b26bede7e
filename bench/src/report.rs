//! Criterion's estimates → one markdown table per backend: the median of
//! each contender per workload and size, and entable's ratios to the
//! others, each marked against its target.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::Result;
use crate::contender::{Bulk, Contender};
use crate::contenders::{Entable, NAMES};
use crate::target::Backend;
use crate::workload::Workload;

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

/// The whole report: a table per backend that has estimates.
pub fn render(estimates: &[Estimate]) -> String {
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
    if total == 0 {
        out.push_str("No estimates found: run the benchmarks first (`bench/run.sh`).\n");
    } else {
        let _ = writeln!(
            out,
            "Targets met: {met} of {total}. Targets: entable ÷ sqlx ≤ 1.05 on workloads 1, 2, 5 and ≤ 1.10 on 3, 4, 6; entable faster than SeaORM and Diesel (ratio < 1)."
        );
    }
    out
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
        let report = render(&[
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

    #[test]
    fn bulk_without_entable_says_why() {
        let report = render(&[
            estimate("sqlx", Workload::BulkInsert, 1e9),
            estimate("diesel", Workload::BulkInsert, 1e9),
        ]);
        assert!(report.contains("n/a until issue 7"), "{report}");
        assert!(report.contains("| n/a | n/a | n/a |"), "{report}");
    }
}
