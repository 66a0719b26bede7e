//! The `migrate` and `schema` commands, for a binary in the user's crate
//! (so that its entities are linked in and registered):
//!
//! ```no_run
//! // src/bin/db.rs
//! fn main() -> std::process::ExitCode {
//!     entable::cli::run()
//! }
//! ```
//!
//! ```text
//! cargo run --bin db -- migrate generate add_bio [--allow-destructive]
//! cargo run --bin db -- migrate run      [--database-url URL]
//! cargo run --bin db -- migrate revert   [--to VERSION] [--database-url URL]
//! cargo run --bin db -- migrate status   [--database-url URL]
//! cargo run --bin db -- migrate check    [--database-url URL] [--extra-tables]
//! cargo run --bin db -- schema print [--dialect postgres|mysql|sqlite]
//! ```
//!
//! Every command takes `--dir DIR` (default `migrations`). The database
//! URL defaults to `DATABASE_URL`; `migrate check` compares a live database
//! with the entities only when a URL is given one way or the other.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use crate::Db;
use crate::backend::Dialect;
use crate::migrate;
use crate::schema::{DriftOptions, GenerateOptions, MigrationDir, Schema};

/// The usage text.
pub const USAGE: &str = "usage:
  migrate generate <name> [--allow-destructive]   write the migration from the last snapshot to the entities
  migrate run [--database-url URL]                apply pending migrations
  migrate revert [--to VERSION] [--database-url URL]
                                                  revert the last migration (or down to VERSION)
  migrate status [--database-url URL]             list applied and pending migrations
  migrate check [--database-url URL] [--extra-tables]
                                                  fail if the entities differ from the last migration,
                                                  or from the live database when a URL is given
  schema print [--dialect postgres|mysql|sqlite]  print the DDL of the entities
options: --dir DIR (default: migrations); the URL defaults to DATABASE_URL";

/// Runs the command in `std::env::args()` on every registered entity,
/// printing what it does; the exit code says whether it succeeded.
pub fn run() -> ExitCode {
    match Schema::from_registry() {
        Ok(schema) => run_with(&schema, std::env::args().skip(1)),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the command in `args` (without the program name) on `schema`.
pub fn run_with(schema: &Schema, args: impl IntoIterator<Item = String>) -> ExitCode {
    match Command::parse(args.into_iter().collect()) {
        Ok(None) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Some(command)) => match execute(schema, command) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
        },
        Err(message) => {
            eprintln!("{message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Action {
    Generate { name: String },
    Run,
    Revert { to: Option<i64> },
    Status,
    Check,
    Print { dialect: Option<Dialect> },
}

#[derive(Debug)]
struct Command {
    action: Action,
    dir: PathBuf,
    url: Option<String>,
    allow_destructive: bool,
    extra_tables: bool,
}

impl Command {
    /// The command, or `None` when help was asked for.
    fn parse(args: Vec<String>) -> Result<Option<Command>, String> {
        let mut positional = Vec::new();
        let mut dir = PathBuf::from("migrations");
        let mut url = None;
        let mut dialect = None;
        let mut to = None;
        let mut allow_destructive = false;
        let mut extra_tables = false;
        // `--flag=value` is `--flag value`.
        let mut args = args
            .into_iter()
            .flat_map(|arg| match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => {
                    vec![flag.to_owned(), value.to_owned()]
                }
                _ => vec![arg],
            })
            .collect::<Vec<_>>()
            .into_iter();
        while let Some(arg) = args.next() {
            let mut value =
                |flag: &str| args.next().ok_or_else(|| format!("`{flag}` needs a value"));
            match arg.as_str() {
                "--dir" => dir = PathBuf::from(value("--dir")?),
                "--database-url" => url = Some(value("--database-url")?),
                "--dialect" => {
                    let name = value("--dialect")?;
                    dialect = Some(
                        Dialect::from_name(&name)
                            .ok_or_else(|| format!("unknown dialect `{name}`"))?,
                    );
                }
                "--to" => {
                    let v = value("--to")?;
                    to = Some(
                        v.parse()
                            .map_err(|_| format!("`--to {v}` is not a version"))?,
                    );
                }
                "--allow-destructive" => allow_destructive = true,
                "--extra-tables" => extra_tables = true,
                "-h" | "--help" => return Ok(None),
                flag if flag.starts_with("--") => return Err(format!("unknown option `{flag}`")),
                _ => positional.push(arg),
            }
        }
        let words: Vec<&str> = positional.iter().map(String::as_str).collect();
        let action = match words.as_slice() {
            ["migrate", "generate", name] => Action::Generate {
                name: (*name).to_owned(),
            },
            ["migrate", "generate"] => return Err("`migrate generate` needs a name".into()),
            ["migrate", "run"] => Action::Run,
            ["migrate", "revert"] => Action::Revert { to },
            ["migrate", "status"] => Action::Status,
            ["migrate", "check"] => Action::Check,
            ["schema", "print"] => Action::Print { dialect },
            [] => return Err("no command given".into()),
            other => return Err(format!("unknown command `{}`", other.join(" "))),
        };
        let misplaced = match action {
            Action::Print { .. } => [("--to", to.is_some()), ("--database-url", url.is_some())],
            Action::Revert { .. } => [("--dialect", dialect.is_some()), ("", false)],
            _ => [("--dialect", dialect.is_some()), ("--to", to.is_some())],
        };
        if let Some((flag, _)) = misplaced.iter().find(|(_, given)| *given) {
            return Err(format!("`{flag}` does not apply to this command"));
        }
        if allow_destructive && !matches!(action, Action::Generate { .. }) {
            return Err("`--allow-destructive` applies to `migrate generate` only".into());
        }
        if extra_tables && action != Action::Check {
            return Err("`--extra-tables` applies to `migrate check` only".into());
        }
        Ok(Some(Command {
            action,
            dir,
            url,
            allow_destructive,
            extra_tables,
        }))
    }
}

fn execute(schema: &Schema, command: Command) -> Result<(), String> {
    let dir = MigrationDir::new(&command.dir);
    match command.action {
        Action::Generate { name } => {
            let options = GenerateOptions {
                allow_destructive: command.allow_destructive,
            };
            match dir
                .generate(schema, &name, options)
                .map_err(|e| e.to_string())?
            {
                None => println!(
                    "no changes: the entities match {}",
                    dir.snapshot_path().display()
                ),
                Some(generated) => {
                    println!("migration {:04}_{}:", generated.version, generated.name);
                    for change in &generated.changes {
                        println!("  {change}");
                    }
                    for file in &generated.files {
                        println!("wrote {}", file.display());
                    }
                }
            }
            Ok(())
        }
        Action::Check => {
            dir.check(schema).map_err(|e| e.to_string())?;
            println!(
                "ok: the entities match the last migration ({})",
                dir.snapshot_path().display()
            );
            let Some(url) = command.url.or_else(|| std::env::var("DATABASE_URL").ok()) else {
                return Ok(());
            };
            let options = DriftOptions {
                extra_tables: command.extra_tables,
            };
            block_on(check_database(schema, &url, options))
        }
        Action::Print { dialect } => {
            let dialects = dialect.map_or_else(|| Dialect::ALL.to_vec(), |d| vec![d]);
            for dialect in dialects {
                println!("-- {dialect}\n{}", schema.to_sql(dialect));
            }
            Ok(())
        }
        Action::Run | Action::Revert { .. } | Action::Status => {
            let url = match command.url {
                Some(url) => url,
                None => std::env::var("DATABASE_URL").map_err(|_| {
                    "no database: give `--database-url URL` or set DATABASE_URL".to_owned()
                })?,
            };
            block_on(on_database(&dir, &url, command.action))
        }
    }
}

fn block_on(work: impl std::future::Future<Output = Result<(), String>>) -> Result<(), String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?
        .block_on(work)
}

/// The live half of `migrate check`: the database at `url` against the
/// entities. The error lists every difference.
async fn check_database(schema: &Schema, url: &str, options: DriftOptions) -> Result<(), String> {
    let db = Db::connect(url).await.map_err(|e| e.to_string())?;
    let found = crate::schema::drift_with(&db, schema, options).await;
    db.close().await;
    let found = found.map_err(|e| format!("cannot read the database's schema: {e}"))?;
    if found.is_empty() {
        println!("ok: the database matches the entities");
        return Ok(());
    }
    let lines: Vec<String> = found.iter().map(|d| format!("  {d}")).collect();
    Err(format!(
        "the database differs from the entities (changed outside the migrations, or a migration was not run):\n{}",
        lines.join("\n")
    ))
}

async fn on_database(dir: &MigrationDir, url: &str, action: Action) -> Result<(), String> {
    let db = Db::connect(url).await.map_err(|e| e.to_string())?;
    let started = Instant::now();
    let result = match action {
        Action::Run => migrate::run(&db, dir, |step| println!("applying {step} …"))
            .await
            .map(|steps| report(&steps, "applied", "no pending migrations")),
        Action::Revert { to } => {
            let target = match to {
                Some(to) => Ok(to),
                None => migrate::status(&db, dir).await.map(|all| {
                    let applied: Vec<i64> = all
                        .iter()
                        .filter(|s| s.state != migrate::State::Pending)
                        .map(|s| s.version)
                        .collect();
                    applied.len().checked_sub(2).map_or(0, |i| applied[i])
                }),
            };
            match target {
                Ok(target) => {
                    migrate::revert(&db, dir, target, |step| println!("reverting {step} …"))
                        .await
                        .map(|steps| report(&steps, "reverted", "nothing to revert"))
                }
                Err(e) => Err(e),
            }
        }
        Action::Status => migrate::status(&db, dir).await.map(|all| {
            if all.is_empty() {
                println!(
                    "no migrations in {}",
                    dir.dialect_dir(db.dialect()).display()
                );
            }
            for s in all {
                println!("{:04} {:<40} {}", s.version, s.description, s.state);
            }
        }),
        _ => Ok(()),
    };
    db.close().await;
    result.map_err(|e| e.to_string())?;
    println!("done in {:.2?}", started.elapsed());
    Ok(())
}

fn report(steps: &[migrate::Step], verb: &str, nothing: &str) {
    if steps.is_empty() {
        println!("{nothing}");
    }
    for step in steps {
        println!("{verb} {step} in {:.2?}", step.elapsed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        Command::parse(args.iter().map(|s| (*s).to_owned()).collect())
            .and_then(|c| c.ok_or_else(|| "help".to_owned()))
    }

    #[test]
    fn commands_parse() {
        let c = parse(&[
            "migrate",
            "generate",
            "add_bio",
            "--allow-destructive",
            "--dir",
            "m",
        ])
        .unwrap();
        assert_eq!(
            c.action,
            Action::Generate {
                name: "add_bio".into()
            }
        );
        assert!(c.allow_destructive);
        assert_eq!(c.dir, PathBuf::from("m"));
        let c = parse(&["migrate", "revert", "--to", "3"]).unwrap();
        assert_eq!(c.action, Action::Revert { to: Some(3) });
        let c = parse(&["schema", "print", "--dialect", "mysql"]).unwrap();
        assert_eq!(
            c.action,
            Action::Print {
                dialect: Some(Dialect::MySql)
            }
        );
        assert!(parse(&["migrate"]).is_err());
        assert!(parse(&["migrate", "generate"]).is_err());
        assert!(parse(&["migrate", "run", "--bogus"]).is_err());
        assert!(parse(&["migrate", "revert", "--to", "x"]).is_err());
        assert!(parse(&["schema", "print", "--dialect", "oracle"]).is_err());
        assert_eq!(
            parse(&["migrate", "check", "--dir=x"]).unwrap().dir,
            PathBuf::from("x")
        );
        assert!(matches!(parse(&["--help"]), Err(e) if e == "help"));
        assert!(parse(&["migrate", "run", "--dialect", "mysql"]).is_err());
        assert!(parse(&["migrate", "run", "--allow-destructive"]).is_err());
        let c = parse(&[
            "migrate",
            "check",
            "--database-url",
            "sqlite::memory:",
            "--extra-tables",
        ])
        .unwrap();
        assert_eq!(c.action, Action::Check);
        assert_eq!(c.url.as_deref(), Some("sqlite::memory:"));
        assert!(c.extra_tables);
        assert!(parse(&["migrate", "run", "--extra-tables"]).is_err());
    }
}
