//! Prints the benchmark table: `cargo run --release --bin report [DIR]`,
//! with DIR criterion's output (default: `criterion/` in the target
//! directory, or `CRITERION_HOME`).

use std::path::PathBuf;

fn main() {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(entable_bench::report::criterion_dir);
    match entable_bench::report::load(&dir) {
        Ok(estimates) => print!("{}", entable_bench::report::render(&estimates)),
        Err(error) => {
            eprintln!("report: {error}");
            std::process::exit(1);
        }
    }
}
