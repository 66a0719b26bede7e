//! Reads back what the server created (catalogs, information_schema,
//! pragmas) and builds the same shape from entable's metadata, so the two
//! can be compared with `assert_eq!`.

use entable::Db;
use entable::backend::Dialect;
use entable::schema::ddl::column_type_in;
use entable::schema::{DefaultValue, Generated, TableMeta};
use entable::sqlx::{self, Row};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableInfo {
    pub name: String,
    pub columns: Vec<ColumnInfo>,
    pub primary_key: Vec<String>,
    /// Sorted by name.
    pub indexes: Vec<IndexInfo>,
    /// Sorted by name.
    pub foreign_keys: Vec<ForeignKeyInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    pub name: String,
    /// Lower case, as the server reports it (normalised per dialect).
    pub sql_type: String,
    pub nullable: bool,
    /// Normalised default expression.
    pub default: Option<String>,
    pub auto_increment: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexInfo {
    pub name: String,
    pub columns: Vec<String>,
    pub unique: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKeyInfo {
    pub name: String,
    pub column: String,
    pub target_table: String,
    pub target_column: String,
    pub on_delete: String,
    pub on_update: String,
}

/// The shape the server should report for `table`.
pub fn expected(dialect: Dialect, table: &TableMeta) -> TableInfo {
    let columns = table
        .columns
        .iter()
        .map(|c| {
            let auto = c.generated == Some(Generated::AutoIncrement);
            let ddl_type = if auto && dialect == Dialect::Sqlite {
                "INTEGER".to_owned()
            } else {
                column_type_in(dialect, table, c)
            };
            ColumnInfo {
                name: c.name.to_owned(),
                sql_type: canonical_type(dialect, &ddl_type),
                nullable: c.nullable,
                default: c.default.as_ref().map(|d| expected_default(dialect, d)),
                auto_increment: auto,
            }
        })
        .collect();
    let mut indexes: Vec<IndexInfo> = table
        .indexes
        .iter()
        .map(|i| IndexInfo {
            name: i.name.to_owned(),
            columns: i.columns.iter().map(|c| (*c).to_owned()).collect(),
            unique: i.unique,
        })
        .collect();
    indexes.sort_by(|a, b| a.name.cmp(&b.name));
    let mut foreign_keys: Vec<ForeignKeyInfo> = table
        .foreign_keys
        .iter()
        .map(|fk| ForeignKeyInfo {
            name: fk.name.to_owned(),
            column: fk.column.to_owned(),
            target_table: target_name(dialect, fk.target()),
            target_column: fk.target_column().to_owned(),
            on_delete: fk.on_delete.sql().to_owned(),
            on_update: fk.on_update.sql().to_owned(),
        })
        .collect();
    foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
    TableInfo {
        name: table.name.to_owned(),
        columns,
        primary_key: table.primary_key.iter().map(|c| (*c).to_owned()).collect(),
        indexes,
        foreign_keys,
    }
}

fn target_name(dialect: Dialect, table: &TableMeta) -> String {
    match (dialect, table.schema) {
        (Dialect::Postgres, Some(schema)) => format!("{schema}.{}", table.name),
        _ => table.name.to_owned(),
    }
}

/// How each server spells the types entable writes.
fn canonical_type(dialect: Dialect, ddl: &str) -> String {
    let lower = ddl.to_ascii_lowercase();
    match dialect {
        Dialect::Postgres => match lower.as_str() {
            "timestamptz" => "timestamp with time zone".into(),
            "timestamp" => "timestamp without time zone".into(),
            "time" => "time without time zone".into(),
            other => match other.strip_prefix("varchar") {
                Some(len) => format!("character varying{len}"),
                None => other.to_owned(),
            },
        },
        Dialect::MySql => match lower.as_str() {
            "boolean" => "tinyint(1)".into(),
            "json" => "longtext".into(),
            other => other.to_owned(),
        },
        Dialect::Sqlite => lower,
    }
}

/// MySQL reports integer display widths (MariaDB) that mean nothing.
fn strip_display_width(ty: &str) -> String {
    for int in ["smallint", "int", "bigint"] {
        if let Some(rest) = ty.strip_prefix(int)
            && rest.starts_with('(')
            && rest.ends_with(')')
        {
            return int.to_owned();
        }
    }
    ty.to_owned()
}

fn expected_default(dialect: Dialect, default: &DefaultValue) -> String {
    let text = match default {
        DefaultValue::Bool(b) => match dialect {
            Dialect::Postgres => b.to_string(),
            _ => u8::from(*b).to_string(),
        },
        DefaultValue::Int(i) => i.to_string(),
        DefaultValue::Float(f) => (*f).to_owned(),
        // MariaDB reports string defaults with its own escapes.
        DefaultValue::Text(t) if dialect == Dialect::MySql => {
            format!("'{}'", t.replace('\\', "\\\\").replace('\'', "\\'"))
        }
        DefaultValue::Text(t) => {
            let mut out = String::new();
            dialect.quote_str(&mut out, t);
            out
        }
        DefaultValue::Sql(sql) => sql.get(dialect).to_owned(),
    };
    canonical_default(&text)
}

/// Removes what servers add around a default: `::type` casts
/// (PostgreSQL), quotes around numbers, `()` after niladic functions
/// (MariaDB), a precision MariaDB adds to `current_timestamp`, letter case.
fn canonical_default(text: &str) -> String {
    let mut t = text.trim().to_owned();
    if t.starts_with('\'') {
        if let Some(end) = t.rfind("'::") {
            t.truncate(end + 1);
        }
    } else if let Some(i) = t.find("::") {
        t.truncate(i);
    }
    if t.len() >= 2
        && t.starts_with('\'')
        && t.ends_with('\'')
        && t[1..t.len() - 1].parse::<f64>().is_ok()
    {
        t = t[1..t.len() - 1].to_owned();
    }
    if t.starts_with('\'') {
        return t;
    }
    // MariaDB gives CURRENT_TIMESTAMP the column's precision.
    t.to_ascii_lowercase()
        .trim_end_matches("()")
        .replace("current_timestamp(6)", "current_timestamp")
}

/// Names of the user tables in the database (qualified on PostgreSQL
/// outside `public`).
pub async fn table_names(db: &Db) -> Vec<String> {
    let mut names: Vec<String> = match db.dialect() {
        Dialect::Postgres => sqlx::query_scalar(
            "SELECT CASE WHEN table_schema = 'public' THEN table_name ELSE table_schema || '.' || table_name END::text \
             FROM information_schema.tables WHERE table_type = 'BASE TABLE' \
             AND table_schema NOT IN ('pg_catalog', 'information_schema')",
        )
        .fetch_all(db.as_postgres().expect("pg"))
        .await
        .expect("pg tables"),
        Dialect::MySql => sqlx::query_scalar(
            "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
        )
        .fetch_all(db.as_mysql().expect("mysql"))
        .await
        .expect("mysql tables"),
        Dialect::Sqlite => sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
        )
        .fetch_all(db.as_sqlite().expect("sqlite"))
        .await
        .expect("sqlite tables"),
    };
    names.retain(|n| n != "_sqlx_migrations");
    names.sort();
    names
}

/// What the server reports for `table`.
pub async fn table(db: &Db, table: &TableMeta) -> TableInfo {
    let mut info = match db.dialect() {
        Dialect::Postgres => postgres(db, table.schema.unwrap_or("public"), table.name).await,
        Dialect::MySql => mysql(db, table.name).await,
        Dialect::Sqlite => sqlite(db, table.name).await,
    };
    info.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    info.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
    info
}

async fn postgres(db: &Db, schema: &str, name: &str) -> TableInfo {
    let pool = db.as_postgres().expect("pg");
    let columns = sqlx::query(
        "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, \
                pg_get_expr(d.adbin, d.adrelid), a.attidentity::text \
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
    )
    .bind(schema)
    .bind(name)
    .fetch_all(pool)
    .await
    .expect("pg columns")
    .iter()
    .map(|r| ColumnInfo {
        name: r.get(0),
        sql_type: r.get(1),
        nullable: r.get(2),
        default: r.get::<Option<String>, _>(3).map(|d| canonical_default(&d)),
        auto_increment: r.get::<String, _>(4) == "d",
    })
    .collect();
    let key_columns = "array(SELECT a.attname::text FROM unnest(KEYS) WITH ORDINALITY k(n, ord) \
         JOIN pg_attribute a ON a.attrelid = REL AND a.attnum = k.n ORDER BY k.ord)";
    let primary_key: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE con.contype = 'p' AND n.nspname = $1 AND c.relname = $2",
        key_columns.replace("KEYS", "con.conkey").replace("REL", "con.conrelid")
    )))
    .bind(schema)
    .bind(name)
    .fetch_optional(pool)
    .await
    .expect("pg primary key")
    .unwrap_or_default();
    let indexes = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT i.relname::text, ix.indisunique, {} FROM pg_index ix \
         JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = $1 AND t.relname = $2 AND NOT ix.indisprimary",
        key_columns
            .replace("KEYS", "ix.indkey::int2[]")
            .replace("REL", "ix.indrelid")
    )))
    .bind(schema)
    .bind(name)
    .fetch_all(pool)
    .await
    .expect("pg indexes")
    .iter()
    .map(|r| IndexInfo {
        name: r.get(0),
        unique: r.get(1),
        columns: r.get(2),
    })
    .collect();
    let foreign_keys = sqlx::query(
        "SELECT con.conname::text, a.attname::text, \
                CASE WHEN tn.nspname = 'public' THEN t2.relname::text ELSE tn.nspname || '.' || t2.relname END, \
                fa.attname::text, con.confdeltype::text, con.confupdtype::text \
         FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1] \
         JOIN pg_class t2 ON t2.oid = con.confrelid JOIN pg_namespace tn ON tn.oid = t2.relnamespace \
         JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = con.confkey[1] \
         WHERE con.contype = 'f' AND n.nspname = $1 AND c.relname = $2",
    )
    .bind(schema)
    .bind(name)
    .fetch_all(pool)
    .await
    .expect("pg foreign keys")
    .iter()
    .map(|r| {
        let action = |code: String| {
            match code.as_str() {
                "a" => "NO ACTION",
                "r" => "RESTRICT",
                "c" => "CASCADE",
                "n" => "SET NULL",
                "d" => "SET DEFAULT",
                _ => "?",
            }
            .to_owned()
        };
        ForeignKeyInfo {
            name: r.get(0),
            column: r.get(1),
            target_table: r.get(2),
            target_column: r.get(3),
            on_delete: action(r.get(4)),
            on_update: action(r.get(5)),
        }
    })
    .collect();
    TableInfo {
        name: name.to_owned(),
        columns,
        primary_key,
        indexes,
        foreign_keys,
    }
}

async fn mysql(db: &Db, name: &str) -> TableInfo {
    let pool = db.as_mysql().expect("mysql");
    let columns = sqlx::query(
        "SELECT CAST(COLUMN_NAME AS CHAR), CAST(COLUMN_TYPE AS CHAR), CAST(IS_NULLABLE AS CHAR), \
                CAST(COLUMN_DEFAULT AS CHAR), CAST(EXTRA AS CHAR) \
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
    )
    .bind(name)
    .fetch_all(pool)
    .await
    .expect("mysql columns")
    .iter()
    .map(|r| ColumnInfo {
        name: r.get(0),
        sql_type: strip_display_width(&r.get::<String, _>(1)),
        nullable: r.get::<String, _>(2) == "YES",
        // MariaDB reports a nullable column without default as 'NULL'.
        default: r.get::<Option<String>, _>(3).filter(|d| d != "NULL").map(|d| canonical_default(&d)),
        auto_increment: r.get::<String, _>(4).contains("auto_increment"),
    })
    .collect();
    let stats = sqlx::query(
        "SELECT CAST(INDEX_NAME AS CHAR), NON_UNIQUE, CAST(COLUMN_NAME AS CHAR) FROM information_schema.STATISTICS \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX",
    )
    .bind(name)
    .fetch_all(pool)
    .await
    .expect("mysql indexes");
    let foreign_keys: Vec<ForeignKeyInfo> = sqlx::query(
        "SELECT CAST(k.CONSTRAINT_NAME AS CHAR), CAST(k.COLUMN_NAME AS CHAR), CAST(k.REFERENCED_TABLE_NAME AS CHAR), \
                CAST(k.REFERENCED_COLUMN_NAME AS CHAR), CAST(r.DELETE_RULE AS CHAR), CAST(r.UPDATE_RULE AS CHAR) \
         FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
           ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME \
         WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL",
    )
    .bind(name)
    .fetch_all(pool)
    .await
    .expect("mysql foreign keys")
    .iter()
    .map(|r| ForeignKeyInfo {
        name: r.get(0),
        column: r.get(1),
        target_table: r.get(2),
        target_column: r.get(3),
        on_delete: r.get(4),
        on_update: r.get(5),
    })
    .collect();
    let mut primary_key = Vec::new();
    let mut indexes: Vec<IndexInfo> = Vec::new();
    for row in &stats {
        let (index, non_unique, column): (String, i64, String) =
            (row.get(0), row.get(1), row.get(2));
        if index == "PRIMARY" {
            primary_key.push(column);
        } else if let Some(existing) = indexes.iter_mut().find(|i| i.name == index) {
            existing.columns.push(column);
        } else {
            indexes.push(IndexInfo {
                name: index,
                columns: vec![column],
                unique: non_unique == 0,
            });
        }
    }
    // InnoDB creates an index named after a foreign key whose column has
    // none of its own; that index is InnoDB's, not ours.
    indexes.retain(|i| !foreign_keys.iter().any(|fk| fk.name == i.name));
    TableInfo {
        name: name.to_owned(),
        columns,
        primary_key,
        indexes,
        foreign_keys,
    }
}

async fn sqlite(db: &Db, name: &str) -> TableInfo {
    let pool = db.as_sqlite().expect("sqlite");
    let create_sql: String =
        sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
            .bind(name)
            .fetch_one(pool)
            .await
            .expect("sqlite table sql");
    let rows = sqlx::query(
        r#"SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid"#,
    )
    .bind(name)
    .fetch_all(pool)
    .await
    .expect("sqlite columns");
    let mut pk: Vec<(i64, String)> = Vec::new();
    let columns = rows
        .iter()
        .map(|r| {
            let column: String = r.get(0);
            let sql_type: String = r.get(1);
            let pk_pos: i64 = r.get(4);
            if pk_pos > 0 {
                pk.push((pk_pos, column.clone()));
            }
            let auto = pk_pos > 0
                && create_sql.contains(&format!(r#""{column}" INTEGER PRIMARY KEY AUTOINCREMENT"#));
            ColumnInfo {
                // An INTEGER PRIMARY KEY is the rowid: never NULL.
                nullable: r.get::<i64, _>(2) == 0 && !auto,
                default: r.get::<Option<String>, _>(3).map(|d| canonical_default(&d)),
                sql_type: sql_type.to_ascii_lowercase(),
                name: column,
                auto_increment: auto,
            }
        })
        .collect();
    pk.sort();
    let mut indexes = Vec::new();
    let list = sqlx::query(r#"SELECT name, "unique", origin FROM pragma_index_list(?)"#)
        .bind(name)
        .fetch_all(pool)
        .await
        .expect("sqlite indexes");
    for row in &list {
        let (index, unique, origin): (String, bool, String) = (row.get(0), row.get(1), row.get(2));
        if origin == "pk" {
            continue;
        }
        let columns: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                .bind(&index)
                .fetch_all(pool)
                .await
                .expect("sqlite index columns");
        indexes.push(IndexInfo {
            name: index,
            columns,
            unique,
        });
    }
    let foreign_keys = sqlx::query(
        r#"SELECT "from", "table", "to", on_delete, on_update FROM pragma_foreign_key_list(?)"#,
    )
    .bind(name)
    .fetch_all(pool)
    .await
    .expect("sqlite foreign keys")
    .iter()
    .map(|r| {
        let column: String = r.get(0);
        // SQLite keeps constraint names only in the table's SQL text.
        let marker = format!(r#"FOREIGN KEY ("{column}")"#);
        let name = create_sql
            .find(&marker)
            .and_then(|end| {
                let before = &create_sql[..end];
                let start = before.rfind("CONSTRAINT \"")? + "CONSTRAINT \"".len();
                before[start..].split('"').next().map(str::to_owned)
            })
            .unwrap_or_default();
        ForeignKeyInfo {
            name,
            column,
            target_table: r.get(1),
            target_column: r.get(2),
            on_delete: r.get(3),
            on_update: r.get(4),
        }
    })
    .collect();
    TableInfo {
        name: name.to_owned(),
        columns,
        primary_key: pk.into_iter().map(|(_, c)| c).collect(),
        indexes,
        foreign_keys,
    }
}

/// Every user table of the database as the server reports it, sorted by
/// name, with columns sorted by name too: a table altered by migrations
/// keeps added columns last, which is not a difference in the schema.
pub async fn database(db: &Db) -> Vec<TableInfo> {
    let mut out = Vec::new();
    for name in table_names(db).await {
        let mut info = match db.dialect() {
            Dialect::Postgres => {
                let (schema, table) = name.split_once('.').unwrap_or(("public", &name));
                postgres(db, schema, table).await
            }
            Dialect::MySql => mysql(db, &name).await,
            Dialect::Sqlite => sqlite(db, &name).await,
        };
        info.name = name;
        info.columns.sort_by(|a, b| a.name.cmp(&b.name));
        info.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        info.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        out.push(info);
    }
    out
}

/// The primary key constraint's name as the server keeps it: PostgreSQL's
/// `pg_constraint`; MySQL names every primary key `PRIMARY`; SQLite keeps
/// the name only in the table's SQL text (`CONSTRAINT "…" PRIMARY KEY`),
/// and none for an inline `INTEGER PRIMARY KEY AUTOINCREMENT`.
pub async fn primary_key_name(db: &Db, table: &TableMeta) -> Option<String> {
    match db.dialect() {
        Dialect::Postgres => sqlx::query_scalar(
            "SELECT con.conname::text FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE con.contype = 'p' AND n.nspname = $1 AND c.relname = $2",
        )
        .bind(table.schema.unwrap_or("public"))
        .bind(table.name)
        .fetch_optional(db.as_postgres().expect("pg"))
        .await
        .expect("pg primary key name"),
        Dialect::MySql => sqlx::query_scalar(
            "SELECT CAST(CONSTRAINT_NAME AS CHAR) FROM information_schema.TABLE_CONSTRAINTS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND CONSTRAINT_TYPE = 'PRIMARY KEY'",
        )
        .bind(table.name)
        .fetch_optional(db.as_mysql().expect("mysql"))
        .await
        .expect("mysql primary key name"),
        Dialect::Sqlite => {
            let sql: String = sqlx::query_scalar(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
            )
            .bind(table.name)
            .fetch_one(db.as_sqlite().expect("sqlite"))
            .await
            .expect("sqlite table sql");
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
            let pool = db.as_postgres().expect("pg");
            let qualified = match table.schema {
                Some(schema) => format!("\"{schema}\".\"{}\"", table.name),
                None => format!("\"{}\"", table.name),
            };
            let on_table: Option<String> =
                sqlx::query_scalar("SELECT obj_description($1::regclass, 'pg_class')")
                    .bind(&qualified)
                    .fetch_one(pool)
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
            let pool = db.as_mysql().expect("mysql");
            let some = |text: String| Some(text).filter(|t| !t.is_empty());
            let on_table: String = sqlx::query_scalar(
                "SELECT CAST(TABLE_COMMENT AS CHAR) FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
            )
            .bind(table.name)
            .fetch_one(pool)
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
