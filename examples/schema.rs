//! Prints the example blog's DDL and writes its initial migrations.
//!
//! ```text
//! cargo run --example schema -- print [--dialect postgres|mysql|sqlite]
//! cargo run --example schema -- write-migrations [--dir migrations]
//! ```
//!
//! The files written are `<dir>/<dialect>/0001_initial.{up,down}.sql`, the
//! layout `sqlx::migrate!("migrations/<dialect>")` and
//! `sqlx migrate run --source migrations/<dialect>` read.

#[path = "shared/blog.rs"]
mod blog;

use std::path::PathBuf;
use std::process::ExitCode;

use entable::backend::Dialect;
use entable::schema::Schema;

const USAGE: &str = "usage: schema print [--dialect postgres|mysql|sqlite]\n       schema write-migrations [--dir DIR]";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<(), String> {
    let schema = Schema::of(blog::tables()).map_err(|e| e.to_string())?;
    let (command, options) = args.split_first().ok_or(USAGE)?;
    let option = |name: &str| -> Result<Option<&String>, String> {
        match options {
            [] => Ok(None),
            [flag, value] if flag == name => Ok(Some(value)),
            _ => Err(format!("unexpected arguments {options:?}\n{USAGE}")),
        }
    };
    match command.as_str() {
        "print" => {
            let dialects = match option("--dialect")? {
                Some(name) => vec![
                    Dialect::from_name(name)
                        .ok_or_else(|| format!("unknown dialect `{name}`\n{USAGE}"))?,
                ],
                None => Dialect::ALL.to_vec(),
            };
            for dialect in dialects {
                println!("-- {dialect}\n{}", schema.to_sql(dialect));
            }
            Ok(())
        }
        "write-migrations" => {
            let dir = option("--dir")?.map_or_else(|| PathBuf::from("migrations"), PathBuf::from);
            for dialect in Dialect::ALL {
                let files = schema
                    .initial_migration(dialect)
                    .write_to(&dir, 1, "initial")
                    .map_err(|e| format!("writing {dialect} migration: {e}"))?;
                for file in files {
                    println!("wrote {}", file.display());
                }
            }
            Ok(())
        }
        _ => Err(USAGE.to_owned()),
    }
}
