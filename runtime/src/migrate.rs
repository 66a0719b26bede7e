//! Running the generated migrations with sqlx's migrator (checksums,
//! locking, the `_sqlx_migrations` table), one version at a time so each
//! step can be reported with its duration.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use entable::migrate;
//! use entable::schema::MigrationDir;
//!
//! let db = entable::Db::connect("sqlite://app.db?mode=rwc").await?;
//! let dir = MigrationDir::new("migrations");
//! for step in migrate::run(&db, &dir, |step| println!("applying {step}")).await? {
//!     println!("applied {} in {:?}", step.name(), step.elapsed);
//! }
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::time::Duration;

use tracing::Instrument as _;

pub use sqlx::migrate::{MigrateError, Migrator};

use crate::Db;
use crate::db::Pool;
use crate::schema::MigrationDir;

/// The table sqlx's migrator records applied migrations in.
pub const TABLE: &str = "_sqlx_migrations";

/// One migration applied or reverted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Its version.
    pub version: i64,
    /// Its description (the file name's words).
    pub description: String,
    /// How long it took.
    pub elapsed: Duration,
}

impl Step {
    /// `0003_add_bio`-style name.
    pub fn name(&self) -> String {
        format!("{:04}_{}", self.version, self.description.replace(' ', "_"))
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// Where one migration stands on a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Its version.
    pub version: i64,
    /// Its description.
    pub description: String,
    /// Applied or not, and whether the file still matches.
    pub state: State,
}

/// See [`Status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Applied, and the file is unchanged since.
    Applied,
    /// Not applied yet.
    Pending,
    /// Applied, but the file has changed since (its checksum differs):
    /// sqlx refuses to run until this is resolved.
    Changed,
    /// Applied, but no file has this version any more.
    Missing,
    /// Started but failed partway (MySQL commits each DDL statement, so
    /// what ran before the failure stays): sqlx refuses to run anything
    /// until the database is repaired by hand and the row in
    /// `_sqlx_migrations` removed.
    Failed,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            State::Applied => "applied",
            State::Pending => "pending",
            State::Changed => "applied, file changed since",
            State::Missing => "applied, file missing",
            State::Failed => "FAILED partway: repair by hand",
        })
    }
}

/// The migrator for `db`'s dialect folder of `dir`.
pub async fn migrator(db: &Db, dir: &MigrationDir) -> Result<Migrator, MigrateError> {
    Migrator::new(dir.dialect_dir(db.dialect())).await
}

/// Runs `$body` with `$conn`, a connection of `db`'s pool taken for the
/// whole operation and closed instead of returned if it fails (a SQLite
/// script that manages its own transaction may leave one open).
macro_rules! on_connection {
    ($db:expr, |$conn:ident| $body:expr) => {
        match &$db.pool {
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => on_connection!(@own pool, $conn, $body),
            #[cfg(feature = "mysql")]
            Pool::MySql(pool) => on_connection!(@own pool, $conn, $body),
            #[cfg(feature = "sqlx-sqlite")]
            Pool::Sqlite(pool) => on_connection!(@run pool, $conn, $body),
            // On a connection of the pool: `LiteConn` implements sqlx's
            // `Migrate` (driver/lite/migrate.rs).
            #[cfg(feature = "rusqlite")]
            Pool::Lite(pool) => on_connection!(@own pool, $conn, $body),
            Pool::Never(never) => match *never {},
        }
    };
    // entable's pools: closed on drop rather than returned after a failure.
    (@own $pool:expr, $conn:ident, $body:expr) => {{
        let mut pooled = $pool.acquire().await?;
        let result = {
            let $conn = &mut *pooled;
            $body
        };
        if result.is_err() {
            pooled.close_on_drop();
        }
        result
    }};
    (@run $pool:expr, $conn:ident, $body:expr) => {{
        let mut pooled = $pool.acquire().await?;
        let result = {
            let $conn = &mut *pooled;
            $body
        };
        if result.is_err() {
            let _ = sqlx::Connection::close(pooled.detach()).await;
        }
        result
    }};
}

/// Applies every pending migration of `dir` to `db`, oldest first, each
/// in its own sqlx run. `before` is called with each migration as it
/// starts; the applied ones are returned with their durations.
///
/// sqlx validates what was applied before (a changed file is
/// [`MigrateError::VersionMismatch`]) and takes its lock (PostgreSQL,
/// MySQL) for each step.
pub async fn run(
    db: &Db,
    dir: &MigrationDir,
    before: impl FnMut(&Step),
) -> Result<Vec<Step>, MigrateError> {
    run_to(db, dir, i64::MAX, before).await
}

/// Like [`run`], up to and including version `target`.
pub async fn run_to(
    db: &Db,
    dir: &MigrationDir,
    target: i64,
    mut before: impl FnMut(&Step),
) -> Result<Vec<Step>, MigrateError> {
    let migrator = migrator(db, dir).await?;
    let all = status(db, dir).await?;
    // sqlx reports a failed migration only when it meets it; one that is
    // not pending any more would never be met.
    if let Some(failed) = all.iter().find(|s| s.state == State::Failed) {
        return Err(MigrateError::Dirty(failed.version));
    }
    let pending: Vec<Status> = all
        .into_iter()
        .filter(|s| s.state == State::Pending && s.version <= target)
        .collect();
    let mut done = Vec::new();
    for migration in pending {
        let mut step = Step {
            version: migration.version,
            description: migration.description,
            elapsed: Duration::ZERO,
        };
        before(&step);
        let started = std::time::Instant::now();
        async {
            on_connection!(db, |conn| migrator
                .run_direct(Some(step.version), conn, false)
                .await)
        }
        .instrument(step_span(&step, "up"))
        .await?;
        step.elapsed = started.elapsed();
        done.push(step);
    }
    Ok(done)
}

/// The span of one migration step (target `entable::migration`, INFO).
fn step_span(step: &Step, direction: &'static str) -> tracing::Span {
    tracing::info_span!(
        target: "entable::migration",
        "entable.migration",
        entable.migration.version = step.version,
        entable.migration.description = %step.description,
        entable.migration.direction = direction,
    )
}

/// Reverts applied migrations newer than `target` (0 reverts them all),
/// newest first, with their `down` files.
pub async fn revert(
    db: &Db,
    dir: &MigrationDir,
    target: i64,
    mut before: impl FnMut(&Step),
) -> Result<Vec<Step>, MigrateError> {
    let migrator = migrator(db, dir).await?;
    let mut applied: Vec<Status> = status(db, dir)
        .await?
        .into_iter()
        .filter(|s| s.state != State::Pending && s.version > target)
        .collect();
    applied.reverse();
    let mut done = Vec::new();
    for (i, migration) in applied.iter().enumerate() {
        let below = applied.get(i + 1).map_or(target, |next| next.version);
        let mut step = Step {
            version: migration.version,
            description: migration.description.clone(),
            elapsed: Duration::ZERO,
        };
        before(&step);
        let started = std::time::Instant::now();
        async { on_connection!(db, |conn| undo(&migrator, conn, below).await) }
            .instrument(step_span(&step, "down"))
            .await?;
        step.elapsed = started.elapsed();
        done.push(step);
    }
    Ok(done)
}

/// Every migration of `dir` and every one applied to `db`, by version.
pub async fn status(db: &Db, dir: &MigrationDir) -> Result<Vec<Status>, MigrateError> {
    use sqlx::migrate::Migrate;

    let migrator = migrator(db, dir).await?;
    let (applied, dirty) = on_connection!(db, |conn| {
        async {
            conn.ensure_migrations_table(TABLE).await?;
            let applied = conn.list_applied_migrations(TABLE).await?;
            let dirty = conn.dirty_version(TABLE).await?;
            Ok::<_, MigrateError>((applied, dirty))
        }
        .await
    })?;
    let mut out: Vec<Status> = Vec::new();
    for migration in migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
    {
        let state = match applied.iter().find(|a| a.version == migration.version) {
            _ if dirty == Some(migration.version) => State::Failed,
            None => State::Pending,
            Some(a) if a.checksum == migration.checksum => State::Applied,
            Some(_) => State::Changed,
        };
        out.push(Status {
            version: migration.version,
            description: migration.description.to_string(),
            state,
        });
    }
    for a in &applied {
        if !out.iter().any(|s| s.version == a.version) {
            out.push(Status {
                version: a.version,
                description: String::new(),
                state: if dirty == Some(a.version) {
                    State::Failed
                } else {
                    State::Missing
                },
            });
        }
    }
    out.sort_by_key(|s| s.version);
    Ok(out)
}

/// sqlx's `Migrator::undo` on a connection: its generic `Acquire` form
/// makes futures that are not `Send` for every lifetime, so they could not
/// run in a spawned task. The same steps with sqlx's `Migrate` methods.
async fn undo<C: sqlx::migrate::Migrate>(
    migrator: &Migrator,
    conn: &mut C,
    target: i64,
) -> Result<(), MigrateError> {
    conn.lock().await?;
    conn.ensure_migrations_table(TABLE).await?;
    if let Some(version) = conn.dirty_version(TABLE).await? {
        return Err(MigrateError::Dirty(version));
    }
    let applied = conn.list_applied_migrations(TABLE).await?;
    for a in &applied {
        if !migrator.iter().any(|m| m.version == a.version) {
            return Err(MigrateError::VersionMissing(a.version));
        }
    }
    for migration in migrator
        .iter()
        .rev()
        .filter(|m| m.migration_type.is_down_migration())
        .filter(|m| m.version > target)
        .filter(|m| applied.iter().any(|a| a.version == m.version))
    {
        conn.revert(TABLE, migration).await?;
    }
    conn.unlock().await?;
    Ok(())
}
