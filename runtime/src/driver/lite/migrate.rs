//! sqlx's migrator on a rusqlite connection: the same `_sqlx_migrations`
//! table, statements and checksums as sqlx-sqlite's implementation, so a
//! database migrated through either driver reads the same to the other,
//! and in-memory databases migrate too (no second connection is needed).

use std::time::{Duration, Instant};

use futures_core::future::BoxFuture;
use rusqlite::types::Value;
use sqlx::migrate::{AppliedMigration, Migrate, MigrateError, Migration};

use super::{LiteArgs, LiteConn};
use crate::driver::DriverError;

impl Migrate for LiteConn {
    fn create_schema_if_not_exists<'e>(
        &'e mut self,
        schema_name: &'e str,
    ) -> BoxFuture<'e, Result<(), MigrateError>> {
        Box::pin(async move {
            // An attached database exists; SQLite cannot create one here.
            let attached = self.query("PRAGMA database_list", &LiteArgs::default(), None)?;
            let exists = attached
                .iter()
                .any(|row| matches!(row.value(1), Some(Value::Text(name)) if name == schema_name));
            if exists {
                return Ok(());
            }
            Err(MigrateError::CreateSchemasNotSupported(format!(
                "cannot create new schema {schema_name}; creation of additional schemas in SQLite requires attaching extra database files"
            )))
        })
    }

    fn ensure_migrations_table<'e>(
        &'e mut self,
        table_name: &'e str,
    ) -> BoxFuture<'e, Result<(), MigrateError>> {
        Box::pin(async move {
            self.execute_script(&format!(
                "CREATE TABLE IF NOT EXISTS {table_name} (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
);"
            ))?;
            Ok(())
        })
    }

    fn dirty_version<'e>(
        &'e mut self,
        table_name: &'e str,
    ) -> BoxFuture<'e, Result<Option<i64>, MigrateError>> {
        Box::pin(async move {
            let rows = self.query(
                &format!("SELECT version FROM {table_name} WHERE success = false ORDER BY version LIMIT 1"),
                &LiteArgs::default(),
                Some(1),
            )?;
            rows.first().map(|row| integer(row.value(0))).transpose()
        })
    }

    fn list_applied_migrations<'e>(
        &'e mut self,
        table_name: &'e str,
    ) -> BoxFuture<'e, Result<Vec<AppliedMigration>, MigrateError>> {
        Box::pin(async move {
            let rows = self.query(
                &format!("SELECT version, checksum FROM {table_name} ORDER BY version"),
                &LiteArgs::default(),
                None,
            )?;
            rows.iter()
                .map(|row| {
                    let checksum = match row.value(1) {
                        Some(Value::Blob(bytes)) => bytes.clone(),
                        other => return Err(unexpected("checksum", other)),
                    };
                    Ok(AppliedMigration {
                        version: integer(row.value(0))?,
                        checksum: checksum.into(),
                    })
                })
                .collect()
        })
    }

    // One process migrates a SQLite file at a time by its own locks, as
    // sqlx-sqlite assumes.
    fn lock(&mut self) -> BoxFuture<'_, Result<(), MigrateError>> {
        Box::pin(async { Ok(()) })
    }

    fn unlock(&mut self) -> BoxFuture<'_, Result<(), MigrateError>> {
        Box::pin(async { Ok(()) })
    }

    fn apply<'e>(
        &'e mut self,
        table_name: &'e str,
        migration: &'e Migration,
    ) -> BoxFuture<'e, Result<Duration, MigrateError>> {
        Box::pin(async move {
            let start = Instant::now();
            let mut args = LiteArgs::default();
            args.push(Value::Integer(migration.version));
            args.push(Value::Text(migration.description.to_string()));
            args.push(Value::Blob(migration.checksum.to_vec()));
            let record = format!(
                "INSERT INTO {table_name} ( version, description, success, checksum, execution_time ) \
                 VALUES ( ?1, ?2, TRUE, ?3, -1 )"
            );
            run_script(self, migration, &record, args)?;
            let elapsed = start.elapsed();
            let mut args = LiteArgs::default();
            args.push(Value::Integer(
                i64::try_from(elapsed.as_nanos()).unwrap_or(i64::MAX),
            ));
            args.push(Value::Integer(migration.version));
            self.execute(
                &format!("UPDATE {table_name} SET execution_time = ?1 WHERE version = ?2"),
                &args,
            )?;
            Ok(elapsed)
        })
    }

    fn revert<'e>(
        &'e mut self,
        table_name: &'e str,
        migration: &'e Migration,
    ) -> BoxFuture<'e, Result<Duration, MigrateError>> {
        Box::pin(async move {
            let start = Instant::now();
            let mut args = LiteArgs::default();
            args.push(Value::Integer(migration.version));
            let forget = format!("DELETE FROM {table_name} WHERE version = ?1");
            run_script(self, migration, &forget, args)?;
            Ok(start.elapsed())
        })
    }
}

/// Runs `migration`'s script and then `bookkeeping` (with `args`), in a
/// transaction of their own unless the migration says `no_tx`: the script
/// and its record commit together, so a migration never runs twice
/// (sqlx's reasoning, launchbadge/sqlx#1966).
fn run_script(
    conn: &mut LiteConn,
    migration: &Migration,
    bookkeeping: &str,
    args: LiteArgs,
) -> Result<(), MigrateError> {
    let work = |conn: &mut LiteConn| -> Result<(), MigrateError> {
        conn.execute_script(migration.sql.as_str())
            .map_err(|e| MigrateError::ExecuteMigration(e, migration.version))?;
        conn.execute(bookkeeping, &args)?;
        Ok(())
    };
    if migration.no_tx {
        return work(conn);
    }
    conn.begin(None)?;
    match work(conn) {
        Ok(()) => Ok(conn.commit()?),
        Err(error) => {
            // The migration's error is the one to report.
            let _ = conn.rollback();
            Err(error)
        }
    }
}

fn integer(value: Option<&Value>) -> Result<i64, MigrateError> {
    match value {
        Some(Value::Integer(n)) => Ok(*n),
        other => Err(unexpected("version", other)),
    }
}

fn unexpected(column: &str, value: Option<&Value>) -> MigrateError {
    MigrateError::Execute(DriverError::Decode(
        format!("_sqlx_migrations.{column} holds {value:?}").into(),
    ))
}
