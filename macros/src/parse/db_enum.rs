//! `#[db_enum(…)]` on an enum and its variants.

use syn::Attribute;

use super::value::{skip_value, string};
use crate::ctxt::Ctxt;
use crate::model::Spanned;
use crate::naming::{did_you_mean, snake_case};

/// How variant names become stored text when not renamed one by one.
#[derive(Clone, Copy)]
pub(crate) enum RenameRule {
    SnakeCase,
    ScreamingSnakeCase,
    KebabCase,
    Lowercase,
    Uppercase,
    Verbatim,
}

const RULES: &[&str] = &[
    "snake_case",
    "SCREAMING_SNAKE_CASE",
    "kebab-case",
    "lowercase",
    "UPPERCASE",
    "PascalCase",
];

impl RenameRule {
    fn parse(text: &str) -> Option<RenameRule> {
        Some(match text {
            "snake_case" => RenameRule::SnakeCase,
            "SCREAMING_SNAKE_CASE" => RenameRule::ScreamingSnakeCase,
            "kebab-case" => RenameRule::KebabCase,
            "lowercase" => RenameRule::Lowercase,
            "UPPERCASE" => RenameRule::Uppercase,
            "PascalCase" => RenameRule::Verbatim,
            _ => return None,
        })
    }

    pub(crate) fn apply(self, variant: &str) -> String {
        match self {
            RenameRule::SnakeCase => snake_case(variant),
            RenameRule::ScreamingSnakeCase => snake_case(variant).to_ascii_uppercase(),
            RenameRule::KebabCase => snake_case(variant).replace('_', "-"),
            RenameRule::Lowercase => variant.to_ascii_lowercase(),
            RenameRule::Uppercase => variant.to_ascii_uppercase(),
            RenameRule::Verbatim => variant.to_owned(),
        }
    }
}

#[derive(Default)]
pub(crate) struct EnumAttrs {
    pub(crate) rename_all: Option<RenameRule>,
    pub(crate) krate: Option<syn::Path>,
    /// `serde = false`: no serde impls (the user derives their own).
    pub(crate) no_serde: bool,
}

pub(crate) fn parse_container(attrs: &[Attribute], cx: &Ctxt) -> EnumAttrs {
    let mut out = EnumAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("db_enum")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            match key.as_str() {
                "rename_all" => {
                    if let Some(rule) = string(cx, &meta, &key)? {
                        match RenameRule::parse(&rule.value) {
                            Some(parsed) => out.rename_all = Some(parsed),
                            None => cx.error_at(
                                rule.span,
                                format!(
                                    "unknown rename rule `{}`; expected one of: {}",
                                    rule.value,
                                    RULES.join(", ")
                                ),
                            ),
                        }
                    }
                }
                "crate" => {
                    if let Some(path) = string(cx, &meta, &key)? {
                        match syn::parse_str::<syn::Path>(&path.value) {
                            Ok(parsed) => out.krate = Some(parsed),
                            Err(_) => cx.error_at(
                                path.span,
                                format!("`{}` is not a Rust path", path.value),
                            ),
                        }
                    }
                }
                "serde" => {
                    let expr: syn::Expr = meta.value()?.parse()?;
                    match &expr {
                        syn::Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Bool(b),
                            ..
                        }) => out.no_serde = !b.value,
                        _ => {
                            cx.error_spanned(&expr, "`serde` takes `false`: write `serde = false`")
                        }
                    }
                }
                _ => {
                    unknown(cx, &meta, &key, &["rename_all", "crate", "serde"]);
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

/// `#[db_enum(rename = "…")]` on a variant.
pub(crate) fn parse_variant(attrs: &[Attribute], cx: &Ctxt) -> Option<Spanned<String>> {
    let mut rename = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("db_enum")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            if key == "rename" {
                if rename.is_some() {
                    cx.error_spanned(&meta.path, "duplicate `rename`");
                }
                rename = string(cx, &meta, &key)?;
            } else {
                unknown(cx, &meta, &key, &["rename"]);
                skip_value(&meta)?;
            }
            Ok(())
        });
        if let Err(error) = result {
            cx.syn_error(error);
        }
    }
    rename
}

fn unknown(cx: &Ctxt, meta: &syn::meta::ParseNestedMeta, key: &str, keys: &[&str]) {
    let message = match did_you_mean(key, keys) {
        Some(hint) => format!("unknown db_enum attribute `{key}`; did you mean `{hint}`?"),
        None => format!(
            "unknown db_enum attribute `{key}`; expected: {}",
            keys.join(", ")
        ),
    };
    cx.error_spanned(&meta.path, message);
}
