//! `#[validate(…)]` on a field: the `validator` crate's rule syntax.

use proc_macro2::{Ident, TokenStream};
use quote::ToTokens;
use syn::{Attribute, Expr, ExprLit, Lit};

use super::value::skip_value;
use crate::ctxt::Ctxt;
use crate::model::{Rule, RuleKind};
use crate::naming::did_you_mean;

const RULES: &[&str] = &[
    "email",
    "url",
    "length",
    "range",
    "contains",
    "does_not_contain",
    "non_control_character",
    "regex",
    "custom",
    "must_match",
    "required",
    "nested",
];

/// The rules of one `#[validate(…)]` attribute.
pub(super) fn parse(attr: &Attribute, cx: &Ctxt) -> Vec<Rule> {
    let mut rules = Vec::new();
    let result = attr.parse_nested_meta(|meta| {
        let name = meta
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        if !RULES.contains(&name.as_str()) {
            let hint = did_you_mean(&name, RULES)
                .map(|h| format!("; did you mean `{h}`?"))
                .unwrap_or_else(|| format!("; expected one of: {}", RULES.join(", ")));
            cx.error_spanned(
                &meta.path,
                format!("unknown validation rule `{name}`{hint}"),
            );
            return skip_value(&meta);
        }
        let span = syn::spanned::Spanned::span(&meta.path);
        let mut args = Args::default();
        if meta.input.peek(syn::Token![=]) {
            // The short forms `contains = "x"`, `must_match = "other"`.
            let expr: Expr = meta.value()?.parse()?;
            let key = match name.as_str() {
                "contains" | "does_not_contain" => "pattern",
                "must_match" => "other",
                "custom" => "function",
                "regex" => "path",
                _ => {
                    cx.error_spanned(
                        &expr,
                        format!("write `{name}(…)` or `{name}`, not `{name} = …`"),
                    );
                    return Ok(());
                }
            };
            args.values.push((key.to_owned(), expr));
        } else if meta.input.peek(syn::token::Paren) {
            meta.parse_nested_meta(|inner| {
                let key = inner
                    .path
                    .get_ident()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                if !inner.input.peek(syn::Token![=]) {
                    cx.error_spanned(&inner.path, format!("`{key}` needs a value: `{key} = …`"));
                    return skip_value(&inner);
                }
                let expr: Expr = inner.value()?.parse()?;
                args.values.push((key, expr));
                Ok(())
            })?;
        }
        if let Some(kind) = rule_kind(&name, &mut args, &meta.path, cx) {
            let code = args.string("code", cx);
            let message = args.string("message", cx);
            for (key, expr) in &args.values {
                cx.error_spanned(expr, format!("`{name}` takes no `{key}`"));
            }
            rules.push(Rule {
                kind,
                code,
                message,
                span,
            });
        }
        Ok(())
    });
    if let Err(error) = result {
        cx.syn_error(error);
    }
    rules
}

#[derive(Default)]
struct Args {
    values: Vec<(String, Expr)>,
}

impl Args {
    fn take(&mut self, key: &str) -> Option<Expr> {
        let position = self.values.iter().position(|(k, _)| k == key)?;
        Some(self.values.remove(position).1)
    }

    fn string(&mut self, key: &str, cx: &Ctxt) -> Option<String> {
        let expr = self.take(key)?;
        match &expr {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => Some(s.value()),
            _ => {
                cx.error_spanned(&expr, format!("`{key}` takes a string: `{key} = \"…\"`"));
                None
            }
        }
    }

    fn count(&mut self, key: &str, cx: &Ctxt) -> Option<u64> {
        let expr = self.take(key)?;
        match &expr {
            Expr::Lit(ExprLit {
                lit: Lit::Int(n), ..
            }) => n.base10_parse().ok(),
            _ => {
                cx.error_spanned(&expr, format!("`{key}` takes a whole number: `{key} = 10`"));
                None
            }
        }
    }

    fn path(&mut self, key: &str, cx: &Ctxt) -> Option<TokenStream> {
        let expr = self.take(key)?;
        match &expr {
            // The older string form: `function = "crate::check"`.
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => match s.parse::<Expr>() {
                Ok(parsed) => Some(parsed.to_token_stream()),
                Err(_) => {
                    cx.error_spanned(&expr, format!("`{}` is not a Rust expression", s.value()));
                    None
                }
            },
            _ => Some(expr.to_token_stream()),
        }
    }

    fn ident(&mut self, key: &str, cx: &Ctxt) -> Option<Ident> {
        let expr = self.take(key)?;
        let ident = match &expr {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => s.parse::<Ident>().ok(),
            Expr::Path(p) => p.path.get_ident().cloned(),
            _ => None,
        };
        if ident.is_none() {
            cx.error_spanned(
                &expr,
                format!("`{key}` takes a field name: `{key} = \"password\"`"),
            );
        }
        ident
    }
}

fn rule_kind(name: &str, args: &mut Args, path: &syn::Path, cx: &Ctxt) -> Option<RuleKind> {
    Some(match name {
        "email" => RuleKind::Email,
        "url" => RuleKind::Url,
        "non_control_character" => RuleKind::NonControlCharacter,
        "required" => RuleKind::Required,
        "nested" => RuleKind::Nested,
        "length" => {
            let (min, max, equal) = (
                args.count("min", cx),
                args.count("max", cx),
                args.count("equal", cx),
            );
            if min.is_none() && max.is_none() && equal.is_none() {
                cx.error_spanned(
                    path,
                    "`length` needs `min`, `max` or `equal`: `length(min = 1, max = 100)`",
                );
                return None;
            }
            if min.is_none() && max.is_none() && equal.is_none() {
                return None;
            }
            RuleKind::Length(min, max, equal)
        }
        "range" => {
            let bounds = ["min", "max", "exclusive_min", "exclusive_max"]
                .map(|k| args.take(k).map(|e| e.to_token_stream()));
            if bounds.iter().all(Option::is_none) {
                cx.error_spanned(path, "`range` needs a bound: `range(min = 0, max = 150)`");
                return None;
            }
            RuleKind::Range(bounds)
        }
        "contains" | "does_not_contain" => {
            let Some(pattern) = args.string("pattern", cx) else {
                cx.error_spanned(
                    path,
                    format!("`{name}` needs a pattern: `{name}(pattern = \"…\")`"),
                );
                return None;
            };
            if name == "contains" {
                RuleKind::Contains(pattern)
            } else {
                RuleKind::DoesNotContain(pattern)
            }
        }
        "regex" => match args.path("path", cx) {
            Some(regex) => RuleKind::Regex(regex),
            None => {
                cx.error_spanned(path, "`regex` needs the regex: `regex(path = *MY_REGEX)`");
                return None;
            }
        },
        "custom" => match args.path("function", cx) {
            Some(function) => RuleKind::Custom(function),
            None => {
                cx.error_spanned(
                    path,
                    "`custom` needs the function: `custom(function = my_check)`",
                );
                return None;
            }
        },
        "must_match" => match args.ident("other", cx) {
            Some(other) => RuleKind::MustMatch(other),
            None => {
                cx.error_spanned(
                    path,
                    "`must_match` needs the other field: `must_match(other = \"password\")`",
                );
                return None;
            }
        },
        _ => return None,
    })
}
