//! The example blog's migration tool: entable's command line
//! ([`entable::cli`]) in a binary that links the blog's entities.
//!
//! ```text
//! cargo run --example schema -- migrate check
//! cargo run --example schema -- migrate generate <name> [--allow-destructive]
//! DATABASE_URL=sqlite://blog.db?mode=rwc cargo run --example schema -- migrate run
//! cargo run --example schema -- migrate status --database-url postgres://…
//! cargo run --example schema -- schema print --dialect postgres
//! ```
//!
//! A user's project does the same in `src/bin/db.rs`: the entities it
//! links are the ones registered.

#[path = "shared/blog.rs"]
mod blog;

fn main() -> std::process::ExitCode {
    // Referenced so that the blog's entities are linked (and registered)
    // even though this binary calls nothing else of them.
    let _ = blog::tables();
    entable::cli::run()
}
