#![allow(dead_code)]
//! Integration tests of entable, run on every configured backend.
//!
//! SQLite always runs. Set `ENTABLE_TEST_POSTGRES_URL` and
//! `ENTABLE_TEST_MYSQL_URL` to admin URLs to cover PostgreSQL and
//! MySQL/MariaDB too; each test then creates and drops its own database.

mod entities;
mod evolution;
mod support;

mod checks;
mod ddl;
mod drift;
mod dto;
mod dto_errors;
mod dto_fuzz;
mod faults;
mod migration_edges;
mod migrations;
mod names;
mod repo;
mod schema_on_backends;
mod search_diff;
mod server_pool;
mod sqlite_driver;
mod testing_support;
mod tx;
