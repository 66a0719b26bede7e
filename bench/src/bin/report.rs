//! Prints the benchmark table: `cargo run --release --bin report [DIR]`,
//! with DIR criterion's output (default: `criterion/` in the target
//! directory, or `CRITERION_HOME`).

use std::path::PathBuf;

fn main() {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(entable_bench::report::criterion_dir);
    let loaded = entable_bench::report::load(&dir).and_then(|estimates| {
        let durability = entable_bench::report::load_durability(&dir)?;
        Ok((estimates, durability))
    });
    match loaded {
        Ok((estimates, durability)) => {
            print!("{}", entable_bench::report::render(&estimates, &durability))
        }
        Err(error) => {
            eprintln!("report: {error}");
            std::process::exit(1);
        }
    }
}
