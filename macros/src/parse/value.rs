//! Reading attribute values: strings, flags, per-dialect fragments.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::{Expr, ExprLit, Lit, Token};

use crate::ctxt::Ctxt;
use crate::model::{PerDialect, Spanned};

/// Records a flag (`primary_key`) at its span; a value or a repeat is an
/// error.
pub(crate) fn flag(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    key: &str,
    slot: &mut Option<proc_macro2::Span>,
) -> syn::Result<()> {
    if meta.input.peek(Token![=]) || meta.input.peek(syn::token::Paren) {
        cx.error_spanned(
            &meta.path,
            format!("`{key}` takes no value: write `#[entity({key})]`"),
        );
        skip_value(meta)?;
        return Ok(());
    }
    if slot.is_some() {
        cx.error_spanned(&meta.path, format!("duplicate `{key}`"));
    }
    *slot = Some(meta_span(meta));
    Ok(())
}

/// Consumes whatever value follows a key (`= expr` or `( … )`).
pub(crate) fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _content;
        syn::parenthesized!(_content in meta.input);
    }
    Ok(())
}

/// The span of the key.
pub(crate) fn meta_span(meta: &ParseNestedMeta) -> Span {
    syn::spanned::Spanned::span(&meta.path)
}

/// `key = "text"`. A missing or non-string value is recorded as an error.
pub(crate) fn string(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    key: &str,
) -> syn::Result<Option<Spanned<String>>> {
    if !meta.input.peek(Token![=]) {
        cx.error_spanned(
            &meta.path,
            format!("`{key}` needs a value: write `{key} = \"…\"`"),
        );
        skip_value(meta)?;
        return Ok(None);
    }
    let expr: Expr = meta.value()?.parse()?;
    match &expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Ok(Some(Spanned::new(s.value(), s.span()))),
        _ => {
            cx.error_spanned(
                &expr,
                format!("`{key}` takes a string: write `{key} = \"…\"`"),
            );
            Ok(None)
        }
    }
}

/// `key = "fragment"` (the same on every dialect) or
/// `key(postgres = "…", mysql = "…", sqlite = "…")`.
pub(crate) fn per_dialect(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    key: &str,
) -> syn::Result<Option<Spanned<PerDialect>>> {
    let span = meta_span(meta);
    if meta.input.peek(syn::token::Paren) {
        let (mut postgres, mut mysql, mut sqlite) = (None, None, None);
        meta.parse_nested_meta(|inner| {
            let name = inner.path.get_ident().map(ToString::to_string).unwrap_or_default();
            let slot = match name.as_str() {
                "postgres" | "postgresql" => &mut postgres,
                "mysql" | "mariadb" => &mut mysql,
                "sqlite" => &mut sqlite,
                _ => {
                    cx.error_spanned(
                        &inner.path,
                        format!("unknown dialect in `{key}(…)`: expected `postgres`, `mysql` or `sqlite`"),
                    );
                    return skip_value(&inner);
                }
            };
            if slot.is_some() {
                cx.error_spanned(&inner.path, format!("duplicate `{name}` in `{key}(…)`"));
            }
            // Given but invalid is `Some(None)`: reported already, and not
            // reported again as missing.
            *slot = Some(string(cx, &inner, &name)?.map(|s| s.value));
            Ok(())
        })?;
        let invalid = [&postgres, &mysql, &sqlite]
            .iter()
            .any(|v| matches!(v, Some(None)));
        let missing: Vec<&str> = [
            ("postgres", &postgres),
            ("mysql", &mysql),
            ("sqlite", &sqlite),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_none())
        .map(|(n, _)| n)
        .collect();
        if !missing.is_empty() {
            cx.error_at(
                span,
                format!(
                    "`{key}(…)` must give every dialect; missing: {}. Write `{key}(postgres = \"…\", mysql = \"…\", sqlite = \"…\")` or `{key} = \"…\"` for all",
                    missing.join(", ")
                ),
            );
            return Ok(None);
        }
        if invalid {
            return Ok(None);
        }
        return Ok(Some(Spanned::new(
            PerDialect {
                postgres: postgres.flatten().unwrap_or_default(),
                mysql: mysql.flatten().unwrap_or_default(),
                sqlite: sqlite.flatten().unwrap_or_default(),
            },
            span,
        )));
    }
    Ok(string(cx, meta, key)?.map(|s| {
        Spanned::new(
            PerDialect {
                postgres: s.value.clone(),
                mysql: s.value.clone(),
                sqlite: s.value,
            },
            s.span,
        )
    }))
}

/// A flag that may carry a name: `unique` or `unique(name = "…")`.
pub(crate) fn named_flag(
    cx: &Ctxt,
    meta: &ParseNestedMeta,
    key: &str,
    slot: &mut Option<Span>,
    name: &mut Option<Spanned<String>>,
) -> syn::Result<()> {
    if !meta.input.peek(syn::token::Paren) {
        return flag(cx, meta, key, slot);
    }
    if slot.is_some() {
        cx.error_spanned(&meta.path, format!("duplicate `{key}`"));
    }
    *slot = Some(meta_span(meta));
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("name") {
            if name.is_some() {
                cx.error_spanned(&inner.path, format!("duplicate `name` in `{key}(…)`"));
            }
            if let Some(value) = string(cx, &inner, "name")? {
                *name = Some(value);
            }
        } else {
            cx.error_spanned(
                &inner.path,
                format!("`{key}(…)` on a field takes only a name: write `{key}(name = \"…\")`; to index several fields put `{key}(field_a, field_b)` on the struct"),
            );
            skip_value(&inner)?;
        }
        Ok(())
    })
}

/// The doc comment (`///` lines or `#[doc = "…"]`) as a database comment:
/// each line trimmed, the lines of a paragraph joined by a space (as
/// rustdoc renders them), paragraphs separated by a line break. `None`
/// when there is no doc text.
pub(crate) fn doc_comment(attrs: &[syn::Attribute]) -> Option<Spanned<String>> {
    let mut span = None;
    let mut lines: Vec<String> = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        let syn::Meta::NameValue(nv) = &attr.meta else {
            continue;
        };
        let Expr::Lit(ExprLit {
            lit: Lit::Str(text),
            ..
        }) = &nv.value
        else {
            continue;
        };
        span.get_or_insert(syn::spanned::Spanned::span(attr));
        lines.extend(text.value().split('\n').map(|l| l.trim().to_owned()));
    }
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in lines {
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
        } else {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(&line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    if paragraphs.is_empty() {
        return None;
    }
    Some(Spanned::new(paragraphs.join("\n"), span?))
}
