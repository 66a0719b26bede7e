//! `#[entity(…)]` on the struct.

use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, Token};

use super::value::{meta_span, skip_value, string};
use crate::ctxt::Ctxt;
use crate::model::{Composite, DtoOptions, Spanned};
use crate::naming::did_you_mean;

pub(super) const KEYS: &[&str] = &[
    "table",
    "schema",
    "renamed_from",
    "primary_key_name",
    "comment",
    "check",
    "unique",
    "unique_live",
    "index",
    "audit",
    "hooks",
    "crate",
    "dto",
    "create_type",
    "update_type",
    "search_type",
    "sort_type",
    "create_attr",
    "update_attr",
    "search_attr",
    "dto_attr",
    "max_page_size",
    "non_empty_strings",
];

#[derive(Default)]
pub(super) struct ContainerAttrs {
    pub(super) table: Option<Spanned<String>>,
    pub(super) schema: Option<Spanned<String>>,
    pub(super) renamed_from: Option<Spanned<String>>,
    pub(super) primary_key_name: Option<Spanned<String>>,
    pub(super) comment: Option<Spanned<String>>,
    pub(super) composites: Vec<Composite>,
    pub(super) krate: Option<syn::Path>,
    pub(super) dto: DtoOptions,
    pub(super) audit: Option<proc_macro2::Span>,
    pub(super) hooks: Option<proc_macro2::Span>,
    pub(super) checks: Vec<crate::model::CheckDecl>,
}

pub(super) fn parse(attrs: &[Attribute], cx: &Ctxt) -> ContainerAttrs {
    let mut out = ContainerAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("entity")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
            match key.as_str() {
                "table" | "schema" | "renamed_from" | "primary_key_name" | "comment" => {
                    let slot = match key.as_str() {
                        "table" => &mut out.table,
                        "schema" => &mut out.schema,
                        "primary_key_name" => &mut out.primary_key_name,
                        "comment" => &mut out.comment,
                        _ => &mut out.renamed_from,
                    };
                    if slot.is_some() {
                        cx.error_spanned(&meta.path, format!("duplicate `{key}`"));
                    }
                    if let Some(value) = string(cx, &meta, &key)? {
                        *slot = Some(value);
                    }
                }
                "unique" | "unique_live" | "index" => {
                    let span = meta_span(&meta);
                    if !meta.input.peek(syn::token::Paren) {
                        cx.error_spanned(
                            &meta.path,
                            format!(
                                "`{key}` on the struct lists fields: write `#[entity({key}(field_a, field_b))]`, or put `#[entity({key})]` on one field"
                            ),
                        );
                        return skip_value(&meta);
                    }
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let items = Punctuated::<syn::Expr, Token![,]>::parse_terminated(&content)?;
                    let mut fields: Vec<Ident> = Vec::new();
                    let mut name: Option<Spanned<String>> = None;
                    for item in items {
                        match &item {
                            syn::Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => {
                                fields.extend(p.path.get_ident().cloned());
                            }
                            syn::Expr::Assign(assign) if matches!(&*assign.left, syn::Expr::Path(p) if p.path.is_ident("name")) => {
                                if name.is_some() {
                                    cx.error_spanned(&assign.left, format!("duplicate `name` in `{key}(…)`"));
                                }
                                match &*assign.right {
                                    syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => {
                                        name = Some(Spanned::new(s.value(), s.span()));
                                    }
                                    other => cx.error_spanned(other, format!("`name` in `{key}(…)` takes a string: `{key}(field_a, field_b, name = \"…\")`")),
                                }
                            }
                            _ => cx.error_spanned(&item, format!("`{key}(…)` lists field names: `{key}(field_a, field_b)`")),
                        }
                    }
                    if fields.is_empty() {
                        cx.error_at(span, format!("`{key}(…)` needs at least one field"));
                    } else {
                        out.composites.push(Composite { unique: key != "index", live: key == "unique_live", fields, span, name });
                    }
                }
                "check" => {
                    if let Some(check) = super::check::parse(cx, &meta)? {
                        out.checks.push(check);
                    }
                }
                "dto" => {
                    let expr: syn::Expr = meta.value()?.parse()?;
                    match &expr {
                        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Bool(b), .. }) if !b.value => {
                            out.dto.disabled = Some(b.span);
                        }
                        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Bool(_), .. }) => {}
                        _ => cx.error_spanned(&expr, "`dto` takes `false` (DTOs are generated by default): write `dto = false`"),
                    }
                }
                "create_type" | "update_type" | "search_type" | "sort_type" => {
                    let slot = match key.as_str() {
                        "create_type" => &mut out.dto.create_type,
                        "update_type" => &mut out.dto.update_type,
                        "search_type" => &mut out.dto.search_type,
                        _ => &mut out.dto.sort_type,
                    };
                    if slot.is_some() {
                        cx.error_spanned(&meta.path, format!("duplicate `{key}`"));
                    }
                    if let Some(name) = string(cx, &meta, &key)? {
                        if syn::parse_str::<Ident>(&name.value).is_err() {
                            cx.error_at(name.span, format!("`{}` is not a Rust type name", name.value));
                        } else {
                            *slot = Some(name);
                        }
                    }
                }
                "create_attr" | "update_attr" | "search_attr" | "dto_attr" => {
                    if !meta.input.peek(syn::token::Paren) {
                        cx.error_spanned(&meta.path, format!("`{key}` wraps an attribute: `{key}(derive(utoipa::ToSchema))`"));
                        return skip_value(&meta);
                    }
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let tokens: proc_macro2::TokenStream = content.parse()?;
                    if tokens.is_empty() {
                        cx.error_spanned(&meta.path, format!("`{key}(…)` is empty"));
                    }
                    let targets: &mut [&mut Vec<proc_macro2::TokenStream>] = match key.as_str() {
                        "create_attr" => &mut [&mut out.dto.create_attrs],
                        "update_attr" => &mut [&mut out.dto.update_attrs],
                        "search_attr" => &mut [&mut out.dto.search_attrs],
                        _ => &mut [&mut out.dto.create_attrs, &mut out.dto.update_attrs, &mut out.dto.search_attrs],
                    };
                    for target in targets.iter_mut() {
                        target.push(tokens.clone());
                    }
                }
                "max_page_size" => {
                    let expr: syn::Expr = meta.value()?.parse()?;
                    match &expr {
                        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(n), .. }) => match n.base10_parse::<u32>() {
                            Ok(0) | Err(_) => cx.error_spanned(&expr, "`max_page_size` must be a whole number from 1 to 4294967295"),
                            Ok(n) => out.dto.max_page_size = Some(Spanned::new(n, meta_span(&meta))),
                        },
                        _ => cx.error_spanned(&expr, "`max_page_size` takes a number: `max_page_size = 200`"),
                    }
                }
                "non_empty_strings" => super::value::flag(cx, &meta, &key, &mut out.dto.non_empty_strings)?,
                "audit" => super::value::flag(cx, &meta, &key, &mut out.audit)?,
                "hooks" => super::value::flag(cx, &meta, &key, &mut out.hooks)?,
                "crate" => {
                    if let Some(path) = string(cx, &meta, "crate")? {
                        match syn::parse_str::<syn::Path>(&path.value) {
                            Ok(parsed) => out.krate = Some(parsed),
                            Err(_) => cx.error_at(path.span, format!("`{}` is not a Rust path", path.value)),
                        }
                    }
                }
                _ => {
                    unknown(cx, &meta, &key);
                    skip_value(&meta)?;
                }
            }
            Ok(())
        });
        if let Err(error) = result {
            cx.syn_error(error);
        }
    }
    out
}

fn unknown(cx: &Ctxt, meta: &syn::meta::ParseNestedMeta, key: &str) {
    let message = if super::field::KEYS.contains(&key) {
        format!("`{key}` is a field attribute: put #[entity({key})] on a field, not on the struct")
    } else {
        match did_you_mean(key, KEYS) {
            Some(hint) => format!("unknown entity attribute `{key}`; did you mean `{hint}`?"),
            None => format!(
                "unknown entity attribute `{key}`; expected one of: {}",
                KEYS.join(", ")
            ),
        }
    };
    cx.error_spanned(&meta.path, message);
}
