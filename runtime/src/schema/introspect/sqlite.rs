//! SQLite: pragmas, and the `CREATE` text in `sqlite_master` for what the
//! pragmas do not tell (constraint names, `AUTOINCREMENT`, the `WHERE` of
//! a partial index).

use super::{Catalog, args};
use crate::driver::{Backend, ColumnValue};

use super::normalize::{canonical_condition, canonical_default, canonical_type};
use super::{ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo};
use crate::Result;
use crate::backend::Dialect;

pub(super) async fn table_names<B: Backend>(cat: &mut Catalog<'_, B>) -> Result<Vec<String>>
where
    String: ColumnValue<B>,
{
    cat.scalars("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'", args!(B)?)
    .await
}

pub(super) async fn table<B>(
    cat: &mut Catalog<'_, B>,
    _schema: Option<&str>,
    name: &str,
) -> Result<Option<TableInfo>>
where
    B: Backend,
    String: ColumnValue<B>,
    i64: ColumnValue<B>,
    bool: ColumnValue<B>,
    Option<String>: ColumnValue<B>,
    Option<Option<String>>: ColumnValue<B>,
{
    let create: Option<Option<String>> = cat
        .scalar_optional(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
            args!(B, name)?,
        )
        .await?;
    let Some(create) = create else {
        return Ok(None);
    };
    let tokens = tokens(create.as_deref().unwrap_or(""));
    let autoincrement = tokens
        .iter()
        .any(|t| t.word().eq_ignore_ascii_case("AUTOINCREMENT"));
    let rows = cat.rows::<(String, String, i64, Option<String>, i64)>(r#"SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid"#, args!(B, name)?)
    .await?;
    let mut key: Vec<(i64, String)> = rows
        .iter()
        .filter(|r| r.4 > 0)
        .map(|r| (r.4, r.0.clone()))
        .collect();
    key.sort();
    let primary_key: Vec<String> = key.into_iter().map(|(_, c)| c).collect();
    let columns = rows
        .into_iter()
        .map(|(column, sql_type, not_null, default, pk)| {
            // AUTOINCREMENT is allowed on an INTEGER PRIMARY KEY only, the
            // rowid, which is never NULL.
            let auto = autoincrement
                && pk > 0
                && primary_key.len() == 1
                && sql_type.eq_ignore_ascii_case("INTEGER");
            ColumnInfo {
                nullable: not_null == 0 && !auto,
                default: default.map(|d| canonical_default(&d, false)),
                sql_type: canonical_type(Dialect::Sqlite, &sql_type),
                name: column,
                auto_increment: auto,
            }
        })
        .collect();
    let constraints = named_constraints(&tokens);
    // Not compared on SQLite: see `TableInfo::primary_key_name`.
    let primary_key_name = None;

    let mut indexes = Vec::new();
    let list = cat
        .rows::<(String, bool, String, bool)>(
            r#"SELECT name, "unique", origin, partial FROM pragma_index_list(?)"#,
            args!(B, name)?,
        )
        .await?;
    for (index, unique, origin, partial) in list {
        // The primary key's own index is the key, not an index of the schema.
        if origin == "pk" {
            continue;
        }
        let columns = cat
            .scalars::<Option<String>>(
                "SELECT name FROM pragma_index_info(?) ORDER BY seqno",
                args!(B, &index)?,
            )
            .await?
            .into_iter()
            .map(|c| c.unwrap_or_else(|| "(expression)".to_owned()))
            .collect();
        let condition = if partial {
            let sql: Option<Option<String>> = cat
                .scalar_optional(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
                    args!(B, &index)?,
                )
                .await?;
            sql.flatten().and_then(|sql| where_clause(&sql))
        } else {
            None
        };
        indexes.push(IndexInfo {
            name: index,
            columns,
            unique,
            condition,
        });
    }

    let fk_rows = cat.rows::<(i64, String, String, Option<String>, String, String)>(r#"SELECT id, "table", "from", "to", on_delete, on_update FROM pragma_foreign_key_list(?) ORDER BY id, seq"#, args!(B, name)?)
    .await?;
    let mut keyed: Vec<(i64, ForeignKeyInfo)> = Vec::new();
    for (id, target, column, target_column, on_delete, on_update) in fk_rows {
        // A reference without a column names the target's primary key.
        let target_column = target_column.unwrap_or_default();
        match keyed.iter_mut().find(|(i, _)| *i == id) {
            Some((_, fk)) => {
                fk.columns.push(column);
                fk.target_columns.push(target_column);
            }
            None => keyed.push((
                id,
                ForeignKeyInfo {
                    name: String::new(),
                    columns: vec![column],
                    target_table: target,
                    target_columns: vec![target_column],
                    on_delete,
                    on_update,
                },
            )),
        }
    }
    let foreign_keys = keyed
        .into_iter()
        .map(|(_, mut fk)| {
            if let Some(c) = constraints
                .iter()
                .find(|c| !c.primary && c.columns == fk.columns)
            {
                fk.name.clone_from(&c.name);
            }
            fk
        })
        .collect();
    let checks = check_names(&tokens);
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

/// One token of SQL text: a word or quoted identifier (unquoted), a
/// string literal, or one punctuation character. A word keeps where it
/// ends in the text.
#[derive(Debug)]
enum Token {
    Word(String, usize),
    Quoted(String),
    Other(char),
}

impl Token {
    /// An identifier or keyword's text; `""` for anything else.
    fn word(&self) -> &str {
        match self {
            Token::Word(w, _) => w,
            _ => "",
        }
    }

    /// An identifier, quoted or not.
    fn ident(&self) -> Option<&str> {
        match self {
            Token::Word(w, _) | Token::Quoted(w) => Some(w),
            Token::Other(_) => None,
        }
    }
}

fn tokens(sql: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = sql.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '"' | '`' | '[' | '\'' => {
                let close = if c == '[' { ']' } else { c };
                let mut text = String::new();
                while let Some((_, d)) = chars.next() {
                    if d == close {
                        // A doubled quote is one quote character.
                        if close != ']' && chars.peek().is_some_and(|(_, e)| *e == close) {
                            chars.next();
                            text.push(close);
                            continue;
                        }
                        break;
                    }
                    text.push(d);
                }
                out.push(if c == '\'' {
                    Token::Other('\'')
                } else {
                    Token::Quoted(text)
                });
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut text = String::from(c);
                let mut end = i + c.len_utf8();
                while let Some((j, d)) = chars.peek().copied() {
                    if !(d.is_alphanumeric() || d == '_' || d == '$') {
                        break;
                    }
                    text.push(d);
                    end = j + d.len_utf8();
                    chars.next();
                }
                out.push(Token::Word(text, end));
            }
            other => out.push(Token::Other(other)),
        }
    }
    out
}

/// A `CONSTRAINT name PRIMARY KEY (…)` or `CONSTRAINT name FOREIGN KEY (…)`
/// of a `CREATE TABLE`.
struct Named {
    name: String,
    primary: bool,
    columns: Vec<String>,
}

fn named_constraints(tokens: &[Token]) -> Vec<Named> {
    let mut out = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if !token.word().eq_ignore_ascii_case("CONSTRAINT") {
            continue;
        }
        let (Some(name), Some(kind), Some(key)) = (
            tokens.get(i + 1).and_then(Token::ident),
            tokens.get(i + 2).map(Token::word),
            tokens.get(i + 3).map(Token::word),
        ) else {
            continue;
        };
        let primary = kind.eq_ignore_ascii_case("PRIMARY");
        if !(primary || kind.eq_ignore_ascii_case("FOREIGN")) || !key.eq_ignore_ascii_case("KEY") {
            continue;
        }
        let columns = tokens[i + 4..]
            .iter()
            .skip(1)
            .take_while(|t| !matches!(t, Token::Other(')')))
            .filter_map(Token::ident)
            .map(str::to_owned)
            .collect();
        out.push(Named {
            name: name.to_owned(),
            primary,
            columns,
        });
    }
    out
}

/// The names of the `CONSTRAINT name CHECK (…)` of a `CREATE TABLE`.
fn check_names(tokens: &[Token]) -> Vec<String> {
    tokens
        .windows(3)
        .filter(|w| {
            w[0].word().eq_ignore_ascii_case("CONSTRAINT")
                && w[2].word().eq_ignore_ascii_case("CHECK")
        })
        .filter_map(|w| w[1].ident().map(str::to_owned))
        .collect()
}

/// The condition after the top-level `WHERE` of a `CREATE INDEX`.
fn where_clause(sql: &str) -> Option<String> {
    let mut depth = 0usize;
    for token in tokens(sql) {
        match token {
            Token::Other('(') => depth += 1,
            Token::Other(')') => depth = depth.saturating_sub(1),
            Token::Word(ref w, end) if depth == 0 && w.eq_ignore_ascii_case("WHERE") => {
                return Some(canonical_condition(&sql[end..]));
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_names_are_read_from_the_create_text() {
        let sql = r#"CREATE TABLE "t" (
  "id" BIGINT NOT NULL,
  "a-b" INTEGER,
  CONSTRAINT "pk_t" PRIMARY KEY ("id"),
  CONSTRAINT "fk ""x""" FOREIGN KEY ("a-b") REFERENCES "u" ("id") ON DELETE CASCADE
)"#;
        let named = named_constraints(&tokens(sql));
        assert_eq!(named.len(), 2);
        assert!(named[0].primary);
        assert_eq!(named[0].name, "pk_t");
        assert_eq!(named[0].columns, ["id"]);
        assert_eq!(named[1].name, r#"fk "x""#);
        assert_eq!(named[1].columns, ["a-b"]);
    }

    #[test]
    fn check_names_are_read_from_the_create_text() {
        let sql = r#"CREATE TABLE "t" (
  "state" TEXT NOT NULL,
  CONSTRAINT "ck_t_state" CHECK ("state" IN ('it''s', 'CONSTRAINT "x" CHECK')),
  CONSTRAINT "ck ""2""" CHECK (1 = 1)
)"#;
        assert_eq!(check_names(&tokens(sql)), ["ck_t_state", r#"ck "2""#]);
    }

    #[test]
    fn partial_index_conditions_are_read() {
        assert_eq!(
            where_clause(r#"CREATE UNIQUE INDEX "u" ON "t" ("email") WHERE "deleted_at" IS NULL"#)
                .as_deref(),
            Some("deleted_at is null")
        );
        assert_eq!(where_clause(r#"CREATE INDEX "i" ON "t" ("a")"#), None);
    }
}
