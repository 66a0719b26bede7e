//! `#[entity(…)]` on the struct.

use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, Token};

use super::value::{meta_span, skip_value, string};
use crate::ctxt::Ctxt;
use crate::model::{Composite, Spanned};
use crate::naming::did_you_mean;

pub(super) const KEYS: &[&str] = &["table", "schema", "unique", "index", "crate"];

#[derive(Default)]
pub(super) struct ContainerAttrs {
    pub(super) table: Option<Spanned<String>>,
    pub(super) schema: Option<Spanned<String>>,
    pub(super) composites: Vec<Composite>,
    pub(super) krate: Option<syn::Path>,
}

pub(super) fn parse(attrs: &[Attribute], cx: &Ctxt) -> ContainerAttrs {
    let mut out = ContainerAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("entity")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
            match key.as_str() {
                "table" | "schema" => {
                    let slot = if key == "table" { &mut out.table } else { &mut out.schema };
                    if slot.is_some() {
                        cx.error_spanned(&meta.path, format!("duplicate `{key}`"));
                    }
                    if let Some(value) = string(cx, &meta, &key)? {
                        *slot = Some(value);
                    }
                }
                "unique" | "index" => {
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
                    for item in items {
                        match &item {
                            syn::Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => {
                                fields.extend(p.path.get_ident().cloned());
                            }
                            _ => cx.error_spanned(&item, format!("`{key}(…)` lists field names: `{key}(field_a, field_b)`")),
                        }
                    }
                    if fields.is_empty() {
                        cx.error_at(span, format!("`{key}(…)` needs at least one field"));
                    } else {
                        out.composites.push(Composite { unique: key == "unique", fields, span });
                    }
                }
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
