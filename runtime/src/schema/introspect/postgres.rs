//! PostgreSQL: `pg_catalog`. Tables outside the current schema are named
//! `schema.name`.

use super::{Catalog, args};
use crate::driver::Pg;
use sqlx::postgres::types::Oid;

use super::normalize::{canonical_condition, canonical_default, canonical_type};
use super::{ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo};
use crate::Result;
use crate::backend::Dialect;

pub(super) async fn table_names(cat: &mut Catalog<'_, Pg>) -> Result<Vec<String>> {
    cat.scalars(
        "SELECT CASE WHEN n.nspname = current_schema() THEN c.relname::text \
                ELSE n.nspname || '.' || c.relname END \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition \
           AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'",
        args!(Pg)?,
    )
    .await
}

/// `ARRAY[attribute names]` of the attribute numbers `KEYS` of relation
/// `REL`, in key order.
const KEY_NAMES: &str = "ARRAY(SELECT a.attname::text FROM unnest(KEYS) WITH ORDINALITY k(n, ord) \
     JOIN pg_attribute a ON a.attrelid = REL AND a.attnum = k.n ORDER BY k.ord)";

fn key_names(keys: &str, rel: &str) -> String {
    KEY_NAMES.replace("KEYS", keys).replace("REL", rel)
}

pub(super) async fn table(
    cat: &mut Catalog<'_, Pg>,
    schema: Option<&str>,
    name: &str,
) -> Result<Option<TableInfo>> {
    let oid: Option<Oid> = cat.scalar_optional("SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = COALESCE($1, current_schema()) AND c.relname = $2 AND c.relkind IN ('r', 'p')", args!(Pg, schema.map(str::to_owned), name)?)
    .await?;
    let Some(oid) = oid else {
        return Ok(None);
    };
    let columns = cat.rows::<(String, String, bool, Option<String>, String)>("SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, \
                pg_get_expr(d.adbin, d.adrelid), a.attidentity::text \
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", args!(Pg, oid)?)
    .await?
    .into_iter()
    .map(|(name, sql_type, nullable, default, identity)| {
        // A `serial` is an integer whose default draws from its sequence:
        // numbered by the database, as an identity is.
        let serial = default
            .as_deref()
            .is_some_and(|d| d.starts_with("nextval("));
        ColumnInfo {
            name,
            sql_type: canonical_type(Dialect::Postgres, &sql_type),
            nullable,
            default: default
                .filter(|_| !serial)
                .map(|d| canonical_default(&d, false)),
            auto_increment: !identity.is_empty() || serial,
        }
    })
    .collect();
    let primary = cat.row::<(String, Vec<String>)>(format!(
        "SELECT con.conname::text, {} FROM pg_constraint con WHERE con.contype = 'p' AND con.conrelid = $1",
        key_names("con.conkey", "con.conrelid")
    ), args!(Pg, oid)?)
    .await?;
    let indexes = cat.rows::<(String, bool, Vec<String>, Option<String>)>(// An expression has attribute number 0: its text stands for it.
        "SELECT i.relname::text, ix.indisunique, \
                ARRAY(SELECT COALESCE(a.attname::text, pg_get_indexdef(ix.indexrelid, k.ord::int, true)) \
                      FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(n, ord) \
                      LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n AND k.n > 0 \
                      WHERE k.ord <= ix.indnkeyatts ORDER BY k.ord), \
                pg_get_expr(ix.indpred, ix.indrelid) \
         FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid \
         WHERE ix.indrelid = $1 AND NOT ix.indisprimary", args!(Pg, oid)?)
    .await?
    .into_iter()
    .map(|(name, unique, columns, condition)| IndexInfo {
        name,
        columns,
        unique,
        condition: condition.map(|c| canonical_condition(&c)),
    })
    .collect();
    let foreign_keys = cat
        .rows::<(String, Vec<String>, String, Vec<String>, String, String)>(
            format!(
                "SELECT con.conname::text, {}, \
                    CASE WHEN tn.nspname = current_schema() THEN t.relname::text \
                         ELSE tn.nspname || '.' || t.relname END, \
                    {}, con.confdeltype::text, con.confupdtype::text \
             FROM pg_constraint con JOIN pg_class t ON t.oid = con.confrelid \
             JOIN pg_namespace tn ON tn.oid = t.relnamespace \
             WHERE con.contype = 'f' AND con.conrelid = $1",
                key_names("con.conkey", "con.conrelid"),
                key_names("con.confkey", "con.confrelid"),
            ),
            args!(Pg, oid)?,
        )
        .await?
        .into_iter()
        .map(
            |(name, columns, target_table, target_columns, on_delete, on_update)| ForeignKeyInfo {
                name,
                columns,
                target_table,
                target_columns,
                on_delete: action(&on_delete).to_owned(),
                on_update: action(&on_update).to_owned(),
            },
        )
        .collect();
    let checks = cat
        .scalars::<String>(
            "SELECT conname::text FROM pg_constraint WHERE contype = 'c' AND conrelid = $1",
            args!(Pg, oid)?,
        )
        .await?;
    let (primary_key_name, primary_key) = match primary {
        Some((name, columns)) => (Some(name), columns),
        None => (None, Vec::new()),
    };
    Ok(Some(TableInfo {
        name: name.to_owned(),
        columns,
        primary_key,
        primary_key_name,
        indexes,
        foreign_keys,
        checks,
    }))
}

/// `pg_constraint`'s one-letter referential actions.
fn action(code: &str) -> &'static str {
    match code {
        "r" => "RESTRICT",
        "c" => "CASCADE",
        "n" => "SET NULL",
        "d" => "SET DEFAULT",
        _ => "NO ACTION",
    }
}
