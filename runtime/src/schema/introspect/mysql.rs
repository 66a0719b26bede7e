//! MySQL and MariaDB: `information_schema` of the current database.
//! (Text columns are cast to `CHAR`: some servers report them as binary
//! strings.)

use super::{Catalog, args};
use crate::driver::MySql;

use super::normalize::{canonical_default, canonical_type, marker_condition};
use super::{ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo, fold_live_marker};
use crate::Result;
use crate::backend::Dialect;
use crate::meta::LIVE_MARKER;

pub(super) async fn table_names(cat: &mut Catalog<'_, MySql>) -> Result<Vec<String>> {
    cat.scalars(
        "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'",
        args!(MySql)?,
    )
    .await
}

type ColumnRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
);

pub(super) async fn table(
    cat: &mut Catalog<'_, MySql>,
    _schema: Option<&str>,
    name: &str,
) -> Result<Option<TableInfo>> {
    let exists: i64 = cat
        .scalar(
            "SELECT COUNT(*) FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND TABLE_TYPE = 'BASE TABLE'",
            args!(MySql, name)?,
        )
        .await?;
    if exists == 0 {
        return Ok(None);
    }
    let version: String = cat
        .scalar("SELECT CAST(VERSION() AS CHAR)", args!(MySql)?)
        .await?;
    let mariadb = version.to_ascii_lowercase().contains("mariadb");
    let rows = cat.rows::<ColumnRow>("SELECT CAST(COLUMN_NAME AS CHAR), CAST(COLUMN_TYPE AS CHAR), CAST(IS_NULLABLE AS CHAR), \
                CAST(COLUMN_DEFAULT AS CHAR), CAST(EXTRA AS CHAR), CAST(GENERATION_EXPRESSION AS CHAR) \
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? \
         ORDER BY ORDINAL_POSITION", args!(MySql, name)?)
    .await?;
    let mut marker = None;
    let mut columns = Vec::new();
    for (column, sql_type, nullable, default, extra, generation) in rows {
        if column == LIVE_MARKER {
            marker = generation.as_deref().map(marker_condition);
        }
        columns.push(ColumnInfo {
            default: default.and_then(|d| column_default(d, &extra, mariadb)),
            sql_type: canonical_type(Dialect::MySql, &sql_type),
            nullable: nullable == "YES",
            auto_increment: extra.to_ascii_lowercase().contains("auto_increment"),
            name: column,
        });
    }
    let stats = cat.rows::<(String, i64, Option<String>)>("SELECT CAST(INDEX_NAME AS CHAR), CAST(NON_UNIQUE AS SIGNED), CAST(COLUMN_NAME AS CHAR) \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? \
         ORDER BY INDEX_NAME, SEQ_IN_INDEX", args!(MySql, name)?)
    .await?;
    let fk_rows = cat.rows::<(String, String, String, String, String, String)>("SELECT CAST(k.CONSTRAINT_NAME AS CHAR), CAST(k.COLUMN_NAME AS CHAR), \
                CAST(k.REFERENCED_TABLE_NAME AS CHAR), CAST(k.REFERENCED_COLUMN_NAME AS CHAR), \
                CAST(r.DELETE_RULE AS CHAR), CAST(r.UPDATE_RULE AS CHAR) \
         FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
           ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
          AND r.TABLE_NAME = k.TABLE_NAME \
         WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL \
         ORDER BY k.CONSTRAINT_NAME, k.ORDINAL_POSITION", args!(MySql, name)?)
    .await?;
    let mut foreign_keys: Vec<ForeignKeyInfo> = Vec::new();
    for (fk, column, target, target_column, on_delete, on_update) in fk_rows {
        match foreign_keys.iter_mut().find(|f| f.name == fk) {
            Some(existing) => {
                existing.columns.push(column);
                existing.target_columns.push(target_column);
            }
            None => foreign_keys.push(ForeignKeyInfo {
                name: fk,
                columns: vec![column],
                target_table: target,
                target_columns: vec![target_column],
                on_delete,
                on_update,
            }),
        }
    }
    // MariaDB checks every JSON column with a `json_valid` check named
    // after the column: the server's, not the schema's. (MySQL 8's
    // CHECK_CONSTRAINTS has no table column: the table comes from
    // TABLE_CONSTRAINTS.)
    let mut checks: Vec<String> = cat.rows::<(String, String)>("SELECT CAST(tc.CONSTRAINT_NAME AS CHAR), CAST(cc.CHECK_CLAUSE AS CHAR) \
         FROM information_schema.TABLE_CONSTRAINTS tc JOIN information_schema.CHECK_CONSTRAINTS cc \
           ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME \
         WHERE tc.TABLE_SCHEMA = DATABASE() AND tc.TABLE_NAME = ? AND tc.CONSTRAINT_TYPE = 'CHECK'", args!(MySql, name)?)
    .await?
    .into_iter()
    .filter(|(check, clause)| {
        !(clause.starts_with("json_valid(") && columns.iter().any(|c| c.name == *check))
    })
    .map(|(check, _)| check)
    .collect();
    // MariaDB names checks per table: one of another table with the same
    // name joins twice.
    checks.sort();
    checks.dedup();
    let mut primary_key = Vec::new();
    let mut indexes: Vec<IndexInfo> = Vec::new();
    for (index, non_unique, column) in stats {
        // A functional index part (MySQL 8) has no column.
        let column = column.unwrap_or_else(|| "(expression)".to_owned());
        if index == "PRIMARY" {
            primary_key.push(column);
        } else if let Some(existing) = indexes.iter_mut().find(|i| i.name == index) {
            existing.columns.push(column);
        } else {
            indexes.push(IndexInfo {
                name: index,
                columns: vec![column],
                unique: non_unique == 0,
                condition: None,
            });
        }
    }
    // InnoDB creates an index named after a foreign key whose columns have
    // none of their own; that index is the server's, not the schema's.
    indexes.retain(|i| !foreign_keys.iter().any(|fk| fk.name == i.name));
    let mut info = TableInfo {
        name: name.to_owned(),
        columns,
        primary_key,
        primary_key_name: None,
        indexes,
        foreign_keys,
        checks,
    };
    fold_live_marker(&mut info, marker);
    Ok(Some(info))
}

/// A column default in [`canonical_default`]'s spelling. MariaDB reports
/// literals quoted (with `\` escapes) and `NULL` for "no default"; MySQL 8
/// reports literals bare and marks expressions `DEFAULT_GENERATED`.
fn column_default(default: String, extra: &str, mariadb: bool) -> Option<String> {
    if mariadb {
        return (default != "NULL").then(|| canonical_default(&default, true));
    }
    let expression = extra.to_ascii_uppercase().contains("DEFAULT_GENERATED")
        || default
            .to_ascii_uppercase()
            .starts_with("CURRENT_TIMESTAMP")
        || default.parse::<f64>().is_ok();
    if expression {
        Some(canonical_default(&default, false))
    } else {
        Some(canonical_default(
            &format!("'{}'", default.replace('\'', "''")),
            false,
        ))
    }
}
