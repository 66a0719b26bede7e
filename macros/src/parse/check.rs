//! `check = "…"` and `check(name = "…", sql = "…")` (or one condition per
//! dialect: `postgres = "…", mysql = "…", sqlite = "…"`), on a field or on
//! the struct.

use syn::meta::ParseNestedMeta;

use super::value::{meta_span, skip_value, string};
use crate::ctxt::Ctxt;
use crate::model::{CheckDecl, PerDialect, Spanned};

/// One `check` attribute; `None` when it is wrong (the error is recorded).
pub(super) fn parse(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<Option<CheckDecl>> {
    let span = meta_span(meta);
    if !meta.input.peek(syn::token::Paren) {
        let Some(sql) = string(cx, meta, "check")? else {
            return Ok(None);
        };
        if sql.value.trim().is_empty() {
            cx.error_at(sql.span, "a check's condition cannot be empty");
            return Ok(None);
        }
        return Ok(Some(CheckDecl {
            name: None,
            sql: PerDialect {
                postgres: sql.value.clone(),
                mysql: sql.value.clone(),
                sqlite: sql.value,
            },
            span,
        }));
    }
    let mut name: Option<Spanned<String>> = None;
    let mut all: Option<Option<Spanned<String>>> = None;
    let mut dialects: [Option<Option<Spanned<String>>>; 3] = [None, None, None];
    meta.parse_nested_meta(|inner| {
        let key = inner
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        let slot = match key.as_str() {
            "name" => {
                if name.is_some() {
                    cx.error_spanned(&inner.path, "duplicate `name` in `check(…)`");
                }
                name = string(cx, &inner, &key)?;
                return Ok(());
            }
            "sql" => &mut all,
            "postgres" | "postgresql" => &mut dialects[0],
            "mysql" | "mariadb" => &mut dialects[1],
            "sqlite" => &mut dialects[2],
            _ => {
                cx.error_spanned(
                    &inner.path,
                    format!(
                        "unknown key `{key}` in `check(…)`; expected `name`, `sql`, or `postgres`, `mysql` and `sqlite`"
                    ),
                );
                return skip_value(&inner);
            }
        };
        if slot.is_some() {
            cx.error_spanned(&inner.path, format!("duplicate `{key}` in `check(…)`"));
        }
        let value = string(cx, &inner, &key)?;
        if let Some(v) = &value
            && v.value.trim().is_empty()
        {
            cx.error_at(v.span, "a check's condition cannot be empty");
        }
        *slot = Some(value.filter(|v| !v.value.trim().is_empty()));
        Ok(())
    })?;
    let given = dialects.iter().filter(|d| d.is_some()).count();
    let sql = match (all, given) {
        (Some(_), 1..) => {
            cx.error_at(
                span,
                "`check(…)` takes `sql = \"…\"` for every dialect or `postgres`, `mysql` and `sqlite`, not both",
            );
            return Ok(None);
        }
        (Some(Some(sql)), 0) => PerDialect {
            postgres: sql.value.clone(),
            mysql: sql.value.clone(),
            sqlite: sql.value,
        },
        (None, 3) => {
            let [Some(Some(pg)), Some(Some(my)), Some(Some(lite))] = dialects else {
                return Ok(None);
            };
            PerDialect {
                postgres: pg.value,
                mysql: my.value,
                sqlite: lite.value,
            }
        }
        (None, 1..) => {
            let missing: Vec<&str> = ["postgres", "mysql", "sqlite"]
                .into_iter()
                .zip(&dialects)
                .filter(|(_, d)| d.is_none())
                .map(|(n, _)| n)
                .collect();
            cx.error_at(
                span,
                format!(
                    "`check(…)` must give every dialect; missing: {}. Or write `sql = \"…\"` for all",
                    missing.join(", ")
                ),
            );
            return Ok(None);
        }
        (None, 0) => {
            cx.error_at(
                span,
                "`check(…)` needs its condition: `check(name = \"…\", sql = \"…\")`",
            );
            return Ok(None);
        }
        // Given but invalid: reported already.
        (Some(None), _) => return Ok(None),
    };
    Ok(Some(CheckDecl { name, sql, span }))
}
