//! The runtime's introspection (`entable::schema::introspect`), with the
//! failures a test wants as panics.

use entable::Db;
use entable::backend::Dialect;
use entable::schema::TableMeta;
// Only some of the test crates that include this module use each type.
#[allow(unused_imports)]
pub use entable::schema::introspect::{ForeignKeyInfo, IndexInfo, TableInfo};
use sqlx::Row;

/// What a database created from `table` holds.
pub fn expected(dialect: Dialect, table: &TableMeta) -> TableInfo {
    entable::schema::introspect::expected(dialect, table)
}

/// Names of the tables in the database.
pub async fn table_names(db: &Db) -> Vec<String> {
    entable::schema::introspect::table_names(db)
        .await
        .expect("table names")
}

/// What the server reports for `table`, which must exist.
pub async fn table(db: &Db, table: &TableMeta) -> TableInfo {
    entable::schema::introspect::table(db, table)
        .await
        .expect("introspection")
        .unwrap_or_else(|| panic!("table `{}` exists", table.name))
}

/// Every table of the database, with columns sorted by name: a table
/// altered by migrations keeps added columns last, which is not a
/// difference in the schema.
pub async fn database(db: &Db) -> Vec<TableInfo> {
    let mut tables = entable::schema::introspect::database(db)
        .await
        .expect("introspection");
    for table in &mut tables {
        table.columns.sort_by(|a, b| a.name.cmp(&b.name));
    }
    tables
}

/// The primary key constraint's name as the server keeps it: PostgreSQL's
/// `pg_constraint`; MySQL names every primary key `PRIMARY`; SQLite keeps
/// the name only in the table's SQL text (`CONSTRAINT "…" PRIMARY KEY`),
/// and none for an inline `INTEGER PRIMARY KEY AUTOINCREMENT`.
pub async fn primary_key_name(db: &Db, table: &TableMeta) -> Option<String> {
    let mut conn = db.acquire().await.expect("connection");
    match db.dialect() {
        Dialect::Postgres => sqlx::query_scalar(
            "SELECT con.conname::text FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE con.contype = 'p' AND n.nspname = $1 AND c.relname = $2",
        )
        .bind(table.schema.unwrap_or("public"))
        .bind(table.name)
        .fetch_optional(conn.as_postgres().expect("pg"))
        .await
        .expect("pg primary key name"),
        Dialect::MySql => sqlx::query_scalar(
            "SELECT CAST(CONSTRAINT_NAME AS CHAR) FROM information_schema.TABLE_CONSTRAINTS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND CONSTRAINT_TYPE = 'PRIMARY KEY'",
        )
        .bind(table.name)
        .fetch_optional(conn.as_mysql().expect("mysql"))
        .await
        .expect("mysql primary key name"),
        Dialect::Sqlite => {
            let sql: String = entable::RawSql::new(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
            )
            .bind(table.name.to_owned())
            .fetch_scalar(db)
            .await
            .expect("sqlite table sql")
            .expect("the table exists");
            let end = sql.find("\" PRIMARY KEY (")?;
            let start = sql[..end].rfind("CONSTRAINT \"")? + "CONSTRAINT \"".len();
            Some(sql[start..end].to_owned())
        }
    }
}

/// The table comment and each column's comment (by column name, in
/// column order) as the server keeps them: PostgreSQL's `obj_description`
/// and `col_description`, MySQL's `TABLE_COMMENT` and `COLUMN_COMMENT`
/// (where an empty comment is none). SQLite has no comments: `None`.
#[allow(clippy::type_complexity)]
pub async fn comments(
    db: &Db,
    table: &TableMeta,
) -> Option<(Option<String>, Vec<(String, Option<String>)>)> {
    match db.dialect() {
        Dialect::Postgres => {
            let mut conn = db.acquire().await.expect("connection");
            let pool = conn.as_postgres().expect("pg");
            let qualified = match table.schema {
                Some(schema) => format!("\"{schema}\".\"{}\"", table.name),
                None => format!("\"{}\"", table.name),
            };
            let on_table: Option<String> =
                sqlx::query_scalar("SELECT obj_description($1::regclass, 'pg_class')")
                    .bind(&qualified)
                    .fetch_one(&mut *pool)
                    .await
                    .expect("pg table comment");
            let columns = sqlx::query(
                "SELECT a.attname::text, col_description(a.attrelid, a.attnum) FROM pg_attribute a \
                 WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
            )
            .bind(&qualified)
            .fetch_all(pool)
            .await
            .expect("pg column comments")
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
            Some((on_table, columns))
        }
        Dialect::MySql => {
            let mut conn = db.acquire().await.expect("connection");
            let pool = conn.as_mysql().expect("mysql");
            let some = |text: String| Some(text).filter(|t| !t.is_empty());
            let on_table: String = sqlx::query_scalar(
                "SELECT CAST(TABLE_COMMENT AS CHAR) FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
            )
            .bind(table.name)
            .fetch_one(&mut *pool)
            .await
            .expect("mysql table comment");
            let columns = sqlx::query(
                "SELECT CAST(COLUMN_NAME AS CHAR), CAST(COLUMN_COMMENT AS CHAR) FROM information_schema.COLUMNS \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME <> 'entable_live' \
                 ORDER BY ORDINAL_POSITION",
            )
            .bind(table.name)
            .fetch_all(pool)
            .await
            .expect("mysql column comments")
            .iter()
            .map(|r| (r.get(0), some(r.get(1))))
            .collect();
            Some((some(on_table), columns))
        }
        Dialect::Sqlite => None,
    }
}

/// The comments `table` declares, in the shape [`comments`] returns.
#[allow(clippy::type_complexity)]
pub fn expected_comments(table: &TableMeta) -> (Option<String>, Vec<(String, Option<String>)>) {
    (
        table.comment.map(str::to_owned),
        table
            .columns
            .iter()
            .map(|c| (c.name.to_owned(), c.comment.map(str::to_owned)))
            .collect(),
    )
}
