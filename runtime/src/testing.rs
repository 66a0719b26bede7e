//! Test databases for your own tests: each test gets a fresh database on
//! every backend you configure, with your entities' tables created, and
//! the database is dropped afterwards — also when the test fails or panics.
//!
//! Needs the cargo feature `testing` (in `[dev-dependencies]`).
//!
//! Which backends run is read from the environment, so the same test runs
//! on SQLite alone on a laptop and on all three in CI:
//!
//! | Variable | Backend |
//! |---|---|
//! | (always) | SQLite, an in-memory database per test |
//! | `ENTABLE_TEST_POSTGRES_URL` | PostgreSQL: an admin URL (`postgres://postgres@localhost/postgres`); each test creates and drops its own database on that server |
//! | `ENTABLE_TEST_MYSQL_URL` | MySQL/MariaDB: likewise (`mysql://root@localhost/mysql`) |
//!
//! A variable that is set to a server that does not answer fails the test:
//! a configured backend is never skipped. Each test prints (to stderr) the
//! backends it ran on and the ones it did not.
//!
//! The attribute form, [`#[entable::test]`](crate::test):
//!
//! ```
//! use entable::prelude::*;
//!
//! #[derive(Entity, Debug, Clone)]
//! #[entity(table = "notes")]
//! pub struct Note {
//!     #[entity(primary_key, auto_increment)]
//!     pub id: i64,
//!     pub text: String,
//! }
//!
//! #[entable::test]
//! async fn notes_are_stored(db: Db) -> entable::Result<()> {
//!     let note = Note::create(&db, NoteCreate { text: "hi".into() }).await?;
//!     assert_eq!(Note::get(&db, note.id).await?.map(|n| n.text), Some("hi".into()));
//!     Ok(())
//! }
//! # fn main() {}
//! ```
//!
//! The same without the attribute, in any async context:
//!
//! ```
//! # use entable::prelude::*;
//! # #[derive(Entity, Debug, Clone)]
//! # #[entity(table = "notes")]
//! # pub struct Note {
//! #     #[entity(primary_key, auto_increment)]
//! #     pub id: i64,
//! #     pub text: String,
//! # }
//! use entable::testing::{TestBackend, TestDatabase, seed_json};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> entable::Result<()> {
//! for backend in TestBackend::from_env() {
//!     let test = TestDatabase::with_schema(&backend, &Schema::of([Note::table()])?).await?;
//!     let notes = seed_json::<Note>(test.db(), r#"[{"text": "a"}, {"text": "b"}]"#).await?;
//!     assert_eq!(notes.len(), 2);
//!     test.drop_database().await?;
//! }
//! # Ok(())
//! # }
//! ```

use std::future::Future;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::backend::Dialect;
use crate::error::{Context, Error, Result};
use crate::repo::Repo;
use crate::schema::Schema;
use crate::{Db, PoolConfig};

/// The admin URL of a PostgreSQL server for test databases.
pub const POSTGRES_ENV: &str = "ENTABLE_TEST_POSTGRES_URL";
/// The admin URL of a MySQL/MariaDB server for test databases.
pub const MYSQL_ENV: &str = "ENTABLE_TEST_MYSQL_URL";

/// Where a test database is created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TestBackend {
    /// A new SQLite database file in the temporary directory, removed
    /// afterwards: what the application's own file database does (WAL,
    /// other processes may open it).
    Sqlite,
    /// A private in-memory SQLite database (`sqlite::memory:`): faster. On
    /// the sqlx-sqlite driver its connections share one cache, where a
    /// transaction that is still rolling back makes other connections fail
    /// at once with "database table is locked" instead of waiting; the
    /// rusqlite driver's in-memory databases lock as files do.
    SqliteMemory,
    /// A new database on the PostgreSQL server of this admin URL.
    Postgres(String),
    /// A new database on the MySQL/MariaDB server of this admin URL.
    MySql(String),
}

impl TestBackend {
    /// The backends this run covers: PostgreSQL and MySQL/MariaDB when
    /// [`POSTGRES_ENV`] / [`MYSQL_ENV`] are set (and not empty), then
    /// SQLite, always.
    pub fn from_env() -> Vec<TestBackend> {
        let var = |name| {
            std::env::var(name)
                .ok()
                .filter(|url: &String| !url.is_empty())
        };
        let mut out = Vec::new();
        if let Some(url) = var(POSTGRES_ENV) {
            out.push(TestBackend::Postgres(url));
        }
        if let Some(url) = var(MYSQL_ENV) {
            out.push(TestBackend::MySql(url));
        }
        out.push(TestBackend::Sqlite);
        out
    }

    /// The dialect.
    pub fn dialect(&self) -> Dialect {
        match self {
            TestBackend::Sqlite | TestBackend::SqliteMemory => Dialect::Sqlite,
            TestBackend::Postgres(_) => Dialect::Postgres,
            TestBackend::MySql(_) => Dialect::MySql,
        }
    }

    fn admin_url(&self) -> Option<&str> {
        match self {
            TestBackend::Sqlite | TestBackend::SqliteMemory => None,
            TestBackend::Postgres(url) | TestBackend::MySql(url) => Some(url),
        }
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A database created for one test. [`drop_database`](Self::drop_database)
/// removes it; if the value is dropped without that (a failed assertion
/// unwinding, an early `?`), `Drop` removes it, blocking for the round
/// trip.
pub struct TestDatabase {
    db: Db,
    backend: TestBackend,
    name: String,
    /// The SQLite file, for [`TestBackend::Sqlite`].
    file: Option<PathBuf>,
    /// Set once the server-side database is gone (or never existed).
    dropped: bool,
}

impl std::fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDatabase")
            .field("dialect", &self.backend.dialect())
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl TestDatabase {
    /// A new, empty database on `backend`. The name is unique per process
    /// and call (`entable_test_<pid>_<n>_<random>`), so tests running at
    /// once, in one process or several, never share one.
    pub async fn create(backend: &TestBackend) -> Result<TestDatabase> {
        TestDatabase::create_with(backend, PoolConfig::default()).await
    }

    /// [`create`](Self::create) with the pool settings of `config` (its
    /// SQLite driver, say).
    pub async fn create_with(backend: &TestBackend, config: PoolConfig) -> Result<TestDatabase> {
        let name = format!(
            "entable_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            &uuid::Uuid::new_v4().simple().to_string()[..8],
        );
        let Some(admin_url) = backend.admin_url() else {
            let file = (*backend == TestBackend::Sqlite)
                .then(|| std::env::temp_dir().join(format!("{name}.sqlite3")));
            // Each pool of `sqlite::memory:` has its own database.
            let url = match &file {
                Some(file) => format!("sqlite://{}", file.display()),
                None => "sqlite::memory:".to_owned(),
            };
            let db = Db::connect_with(&url, config).await?;
            return Ok(TestDatabase {
                db,
                backend: backend.clone(),
                name,
                dropped: file.is_none(),
                file,
            });
        };
        let dialect = backend.dialect();
        let mut create = String::from("CREATE DATABASE ");
        dialect.quote_ident(&mut create, &name);
        if dialect == Dialect::MySql {
            // Byte-wise comparison, as on the other backends (the server's
            // default collation would fold case and accents).
            create.push_str(" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        }
        admin(dialect, admin_url, create).await?;
        let url = with_database(admin_url, &name);
        match Db::connect_with(&url, config).await {
            Ok(db) => Ok(TestDatabase {
                db,
                backend: backend.clone(),
                name,
                file: None,
                dropped: false,
            }),
            Err(e) => {
                // Best effort: the connect error is the one worth reporting.
                let _ = admin(dialect, admin_url, drop_sql(dialect, &name)).await;
                Err(e)
            }
        }
    }

    /// A new database with the tables of `schema` created.
    pub async fn with_schema(backend: &TestBackend, schema: &Schema) -> Result<TestDatabase> {
        let test = TestDatabase::create(backend).await?;
        schema.create_all(&test.db).await?;
        Ok(test)
    }

    /// The connection pool of this database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Its dialect.
    pub fn dialect(&self) -> Dialect {
        self.backend.dialect()
    }

    /// Its name on the server (for SQLite, the file's stem).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A URL that connects to this database (`None` for an in-memory
    /// SQLite database, which no other pool can reach).
    pub fn url(&self) -> Option<String> {
        match (&self.file, self.backend.admin_url()) {
            (Some(file), _) => Some(format!("sqlite://{}", file.display())),
            (None, admin) => admin.map(|admin| with_database(admin, &self.name)),
        }
    }

    /// Runs an SQL script (several statements separated by `;`), for
    /// seeding with data written as SQL. Nothing is bound: use it for
    /// fixed test data, never for input.
    pub async fn execute_script(&self, sql: &str) -> Result<()> {
        let mut conn = self.db.checkout(Context::default()).await?;
        conn.execute_raw(sql.to_owned())
            .await
            .map_err(|source| Error::Database {
                context: Context::default(),
                source,
            })
    }

    /// Runs the SQL script in the file at `path` ([`execute_script`](Self::execute_script)).
    pub async fn execute_script_file(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let sql = std::fs::read_to_string(path).map_err(|e| Error::Usage {
            context: Context::default(),
            reason: format!("cannot read {}: {e}", path.display()),
        })?;
        self.execute_script(&sql).await
    }

    /// Closes the pool and drops the database from its server.
    pub async fn drop_database(mut self) -> Result<()> {
        self.db.close().await;
        if self.dropped {
            return Ok(());
        }
        self.dropped = true;
        if let Some(file) = &self.file {
            return remove_sqlite_files(file);
        }
        match self.backend.admin_url() {
            Some(admin_url) => {
                admin(
                    self.dialect(),
                    admin_url,
                    drop_sql(self.dialect(), &self.name),
                )
                .await
            }
            None => Ok(()),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        if let Some(file) = &self.file {
            if let Err(e) = remove_sqlite_files(file) {
                eprintln!("entable::testing: {e}");
            }
            return;
        }
        let Some(admin_url) = self.backend.admin_url().map(str::to_owned) else {
            return;
        };
        let dialect = self.dialect();
        let sql = drop_sql(dialect, &self.name);
        let name = self.name.clone();
        // `Drop` cannot await, and may run inside a runtime (where
        // `block_on` is refused): a thread with its own runtime does it.
        let outcome = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime
                .block_on(admin(dialect, &admin_url, sql))
                .map_err(|e| e.to_string())
        })
        .join();
        if let Ok(Err(e)) | Err(e) = outcome.map_err(|_| "panicked".to_owned()) {
            eprintln!("entable::testing: could not drop test database {name}: {e}");
        }
    }
}

/// The database file and the journal files SQLite keeps beside it; a file
/// that is not there is fine (SQLite may never have made it).
fn remove_sqlite_files(file: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut path = file.as_os_str().to_owned();
        path.push(suffix);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::Usage {
                    context: Context::default(),
                    reason: format!("cannot remove the test database {}: {e}", file.display()),
                });
            }
        }
    }
    Ok(())
}

fn drop_sql(dialect: Dialect, name: &str) -> String {
    let mut sql = String::from("DROP DATABASE IF EXISTS ");
    dialect.quote_ident(&mut sql, name);
    if dialect == Dialect::Postgres {
        // Connections a failed test left open would block the drop.
        sql.push_str(" WITH (FORCE)");
    }
    sql
}

/// Runs one statement on its own connection to the admin database, outside
/// any transaction (PostgreSQL refuses CREATE/DROP DATABASE inside one).
async fn admin(dialect: Dialect, url: &str, sql: String) -> Result<()> {
    let config = PoolConfig {
        max_connections: 1,
        min_connections: 0,
        ..PoolConfig::default()
    };
    let db = Db::connect_with(url, config)
        .await
        .map_err(|e| Error::Usage {
            context: Context::default(),
            reason: format!(
                "{dialect}: the test server at the configured URL does not answer: {e}"
            ),
        })?;
    let outcome = async {
        let mut conn = db.checkout(Context::default()).await?;
        conn.execute_raw(sql.clone())
            .await
            .map_err(|source| Error::Database {
                context: Context::default(),
                source,
            })
    }
    .await;
    db.close().await;
    outcome
}

/// `scheme://user@host:port/name?query` from an admin URL and a database
/// name: the admin URL's database is replaced, its options kept.
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (admin_url, None),
    };
    let (scheme, rest) = base.split_once("://").unwrap_or(("", base));
    let authority = rest.split('/').next().unwrap_or(rest);
    match query {
        Some(query) => format!("{scheme}://{authority}/{name}?{query}"),
        None => format!("{scheme}://{authority}/{name}"),
    }
}

/// Inserts rows given as a JSON array of `E`'s Create type (as an API
/// would receive them), in one transaction, and returns them as stored. A
/// malformed fixture names the row's field ([`dto::from_json`](crate::dto::from_json)).
pub async fn seed_json<E: Repo>(db: &Db, json: &str) -> Result<Vec<E>>
where
    E::Create: serde::de::DeserializeOwned + Send + 'static,
{
    let rows: Vec<E::Create> = crate::dto::from_json(json).map_err(|e| Error::Usage {
        context: Context::default(),
        reason: format!("{} fixture: {e}", E::table().entity),
    })?;
    seed::<E>(db, rows).await
}

/// Inserts `rows` in one transaction (validated as `create` does) and
/// returns them as stored, in order.
pub async fn seed<E: Repo>(db: &Db, rows: Vec<E::Create>) -> Result<Vec<E>>
where
    E::Create: Send + 'static,
{
    let tx = db.begin().await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        match E::create(&tx, row).await {
            Ok(stored) => out.push(stored),
            Err(e) => {
                // Rolled back before returning, not when `tx` drops: the
                // caller's next statement must not meet its locks.
                let _ = tx.rollback().await;
                return Err(e);
            }
        }
    }
    tx.commit().await?;
    Ok(out)
}

/// What a test body may return: nothing, or a `Result` whose error fails
/// the test.
pub trait TestOutcome {
    /// `Err` with the message when the test failed.
    fn into_outcome(self) -> std::result::Result<(), String>;
}

impl TestOutcome for () {
    fn into_outcome(self) -> std::result::Result<(), String> {
        Ok(())
    }
}

impl<E: std::fmt::Debug> TestOutcome for std::result::Result<(), E> {
    fn into_outcome(self) -> std::result::Result<(), String> {
        self.map_err(|e| format!("{e:?}"))
    }
}

/// Runs `body` once per backend of [`TestBackend::from_env`], each time on
/// a fresh database with `schema`'s tables, in a multi-threaded runtime
/// built for the test. What `#[entable::test]` expands to.
///
/// Panics — which is how a test fails — when the body fails or panics on
/// any backend, naming the backend; the database is dropped first.
pub fn run<F, Fut>(
    test: &str,
    schema: impl FnOnce() -> std::result::Result<Schema, crate::schema::SchemaError>,
    body: F,
) where
    F: Fn(Db) -> Fut,
    Fut: Future,
    Fut::Output: TestOutcome,
{
    let schema = match schema() {
        Ok(schema) => schema,
        Err(e) => panic!("{test}: the schema is not valid: {e}"),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => panic!("{test}: cannot start a tokio runtime: {e}"),
    };
    let backends = TestBackend::from_env();
    let mut covered = Vec::new();
    for backend in &backends {
        let dialect = backend.dialect();
        let database = match runtime.block_on(TestDatabase::with_schema(backend, &schema)) {
            Ok(database) => database,
            Err(e) => panic!("{test}: cannot create the test database on {dialect}: {e}"),
        };
        let db = database.db().clone();
        let outcome = catch_unwind(AssertUnwindSafe(|| runtime.block_on(body(db))));
        let cleanup = runtime.block_on(database.drop_database());
        match outcome {
            Ok(result) => {
                if let Err(message) = result.into_outcome() {
                    panic!("{test} failed on {dialect}: {message}");
                }
            }
            Err(panic) => {
                eprintln!("{test} panicked on {dialect}");
                resume_unwind(panic);
            }
        }
        if let Err(e) = cleanup {
            panic!("{test}: cannot drop the test database on {dialect}: {e}");
        }
        covered.push(dialect.name());
    }
    // Straight to the terminal: libtest captures `eprintln!` of passing
    // tests, and the run must say which backends it covered.
    let _ = writeln!(
        std::io::stderr().lock(),
        "{}",
        coverage_line(test, &covered)
    );
}

fn coverage_line(test: &str, covered: &[&str]) -> String {
    let mut line = format!("{test}: ran on {}", covered.join(", "));
    for (dialect, env) in [
        (Dialect::Postgres, POSTGRES_ENV),
        (Dialect::MySql, MYSQL_ENV),
    ] {
        if !covered.contains(&dialect.name()) {
            line.push_str(&format!("; {dialect} NOT covered ({env} is not set)"));
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_replaced_in_admin_url() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "t1"),
            "postgres://u:p@h:5432/t1?sslmode=disable"
        );
        assert_eq!(
            with_database("mysql://root@127.0.0.1:3306", "t2"),
            "mysql://root@127.0.0.1:3306/t2"
        );
    }
}
