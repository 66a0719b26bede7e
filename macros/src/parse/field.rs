//! `#[entity(…)]` on a field.

use proc_macro2::Ident;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::spanned::Spanned as _;
use syn::{Expr, ExprLit, ExprUnary, GenericArgument, Lit, PathArguments, Type, UnOp};

use super::value::{doc_comment, flag, meta_span, named_flag, per_dialect, skip_value, string};
use crate::ctxt::Ctxt;
use crate::model::{AuditField, Comment, Default, Field, FkAction, Reference, Spanned};
use crate::naming::did_you_mean;

pub(super) const KEYS: &[&str] = &[
    "primary_key",
    "auto_increment",
    "uuid_v4",
    "column",
    "renamed_from",
    "skip",
    "sql_type",
    "default",
    "default_sql",
    "max_length",
    "unique",
    "unique_live",
    "index",
    "references",
    "fk_name",
    "comment",
    "check",
    "on_delete",
    "on_update",
    "create",
    "update",
    "searchable",
    "sortable",
    "read_only",
    "version",
    "created_at",
    "updated_at",
    "deleted_at",
    "deleted_flag",
    "live_flag",
    "audit",
    "non_empty",
    "belongs_to",
    "has_many",
    "has_one",
    "many_to_many",
];

pub(super) fn parse(field: &syn::Field, entity: &Ident, cx: &Ctxt) -> Field {
    // Named fields always have an ident; fall back to a placeholder rather
    // than panic.
    let ident = field
        .ident
        .clone()
        .unwrap_or_else(|| Ident::new("_", field.span()));
    let field_ty = ungrouped(&field.ty);
    let inner = option_inner(field_ty);
    let nested_option = inner.is_some_and(|t| option_inner(t).is_some());
    let value_ty = inner.unwrap_or(field_ty);
    // JSON and bytes have no portable comparison; the `time` crate's
    // types have no filter parser (Search filters parse chrono's).
    let from_time_crate = match value_ty {
        Type::Path(path) => path.path.segments.iter().any(|s| s.ident == "time"),
        _ => false,
    };
    let opaque_type = from_time_crate
        || last_segment(value_ty).is_some_and(|s| {
            matches!(
                s.as_str(),
                "Value" | "Json" | "Vec" | "OffsetDateTime" | "PrimitiveDateTime"
            )
        });
    let column_name = ident.unraw().to_string();
    let mut out = Field {
        column: Spanned::new(column_name, ident.span()),
        value_ty: value_ty.to_token_stream(),
        ty: field.ty.to_token_stream(),
        opaque_type,
        ty_span: field.ty.span(),
        nullable: inner.is_some(),
        nested_option,
        ident,
        renamed: None,
        renamed_from: None,
        skip: None,
        primary_key: None,
        auto_increment: None,
        uuid_v4: None,
        sql_type: None,
        default: None,
        max_length: None,
        unique: None,
        index: None,
        unique_name: None,
        index_name: None,
        unique_live_name: None,
        references: None,
        fk_name: None,
        comment: Comment {
            explicit: None,
            doc: doc_comment(&field.attrs),
        },
        on_delete: None,
        on_update: None,
        create: None,
        update: None,
        searchable: None,
        sortable: None,
        read_only: None,
        version: None,
        created_at: None,
        updated_at: None,
        deleted_at: None,
        deleted_flag: None,
        live_flag: None,
        unique_live: None,
        audit: None,
        non_empty: None,
        relation: None,
        rules: Vec::new(),
        check: None,
    };
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("validate")) {
        out.rules.extend(super::validate::parse(attr, cx));
    }
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("entity")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
            match key.as_str() {
                "primary_key" => flag(cx, &meta, &key, &mut out.primary_key)?,
                "auto_increment" => flag(cx, &meta, &key, &mut out.auto_increment)?,
                "uuid_v4" => flag(cx, &meta, &key, &mut out.uuid_v4)?,
                "skip" => flag(cx, &meta, &key, &mut out.skip)?,
                "unique" => named_flag(cx, &meta, &key, &mut out.unique, &mut out.unique_name)?,
                "index" => named_flag(cx, &meta, &key, &mut out.index, &mut out.index_name)?,
                "read_only" => flag(cx, &meta, &key, &mut out.read_only)?,
                "version" => flag(cx, &meta, &key, &mut out.version)?,
                "created_at" => flag(cx, &meta, &key, &mut out.created_at)?,
                "updated_at" => flag(cx, &meta, &key, &mut out.updated_at)?,
                "deleted_at" => flag(cx, &meta, &key, &mut out.deleted_at)?,
                "deleted_flag" => flag(cx, &meta, &key, &mut out.deleted_flag)?,
                "live_flag" => flag(cx, &meta, &key, &mut out.live_flag)?,
                "unique_live" => named_flag(cx, &meta, &key, &mut out.unique_live, &mut out.unique_live_name)?,
                "check" => {
                    if out.check.is_some() {
                        cx.error_spanned(&meta.path, "duplicate `check`: a field has one; give more on the struct with `check(name = \"…\", sql = \"…\")`");
                    }
                    if let Some(check) = super::check::parse(cx, &meta)? {
                        out.check = Some(check);
                    }
                }
                "fk_name" | "comment" => {
                    let slot = if key == "fk_name" { &mut out.fk_name } else { &mut out.comment.explicit };
                    if slot.is_some() {
                        cx.error_spanned(&meta.path, format!("duplicate `{key}`"));
                    }
                    if let Some(value) = string(cx, &meta, &key)? {
                        *slot = Some(value);
                    }
                }
                "audit" => {
                    if out.audit.is_some() {
                        cx.error_spanned(&meta.path, "duplicate `audit`");
                    }
                    out.audit = audit_field(cx, &meta)?;
                }
                "non_empty" => flag(cx, &meta, &key, &mut out.non_empty)?,
                "create" | "update" | "searchable" | "sortable" => {
                    let slot = match key.as_str() {
                        "create" => &mut out.create,
                        "update" => &mut out.update,
                        "searchable" => &mut out.searchable,
                        _ => &mut out.sortable,
                    };
                    if slot.is_some() {
                        cx.error_spanned(&meta.path, format!("duplicate `{key}`"));
                    }
                    *slot = boolean(cx, &meta, &key)?;
                }
                "column" => {
                    if out.renamed.is_some() {
                        cx.error_spanned(&meta.path, "duplicate `column`");
                    }
                    if let Some(name) = string(cx, &meta, &key)? {
                        out.renamed = Some(name.span);
                        out.column = name;
                    }
                }
                "renamed_from" => {
                    if out.renamed_from.is_some() {
                        cx.error_spanned(&meta.path, "duplicate `renamed_from`");
                    }
                    if let Some(name) = string(cx, &meta, &key)? {
                        out.renamed_from = Some(name);
                    }
                }
                "sql_type" | "default_sql" => {
                    let duplicate = if key == "sql_type" { out.sql_type.is_some() } else { out.default.is_some() };
                    if duplicate {
                        cx.error_spanned(&meta.path, format!("duplicate `{key}`"));
                    }
                    if let Some(value) = per_dialect(cx, &meta, &key)? {
                        if key == "sql_type" {
                            out.sql_type = Some(value);
                        } else {
                            out.default = Some(Spanned::new(Default::Sql(value.value), value.span));
                        }
                    }
                }
                "default" => {
                    if out.default.is_some() {
                        cx.error_spanned(&meta.path, "duplicate default: give one `default` or `default_sql`");
                    }
                    let Some(expr) = value_expr(cx, &meta, "default = 0")? else { return Ok(()) };
                    out.default = default_literal(cx, &expr).map(|d| Spanned::new(d, expr_span(&expr)));
                }
                "max_length" => {
                    if out.max_length.is_some() {
                        cx.error_spanned(&meta.path, "duplicate `max_length`");
                    }
                    let Some(expr) = value_expr(cx, &meta, "max_length = 255")? else { return Ok(()) };
                    match &expr {
                        Expr::Lit(ExprLit { lit: Lit::Int(n), .. }) => match n.base10_parse::<u32>() {
                            Ok(0) | Err(_) => cx.error_spanned(&expr, "`max_length` must be a whole number from 1 to 4294967295"),
                            Ok(n) => out.max_length = Some(Spanned::new(n, meta_span(&meta))),
                        },
                        _ => cx.error_spanned(&expr, "`max_length` takes a number: write `max_length = 255`"),
                    }
                }
                "references" => {
                    if out.references.is_some() {
                        cx.error_spanned(&meta.path, "duplicate `references`: a column refers to one entity");
                    }
                    let Some(expr) = value_expr(cx, &meta, "references = Team")? else { return Ok(()) };
                    match &expr {
                        Expr::Path(path) if path.qself.is_none() => {
                            let target = if path.path.is_ident("Self") {
                                entity.to_token_stream()
                            } else {
                                path.path.to_token_stream()
                            };
                            out.references = Some(Reference { target, span: expr_span(&expr) });
                        }
                        Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => cx.error_spanned(
                            &expr,
                            format!("`references` takes the entity type, not a string: write `references = {}`", s.value()),
                        ),
                        _ => cx.error_spanned(&expr, "`references` takes an entity type: write `references = Team`"),
                    }
                }
                "belongs_to" | "has_many" | "has_one" | "many_to_many" => {
                    super::relation::parse(cx, &meta, &key, &mut out.relation)?;
                }
                "on_delete" | "on_update" => {
                    let slot = if key == "on_delete" { &mut out.on_delete } else { &mut out.on_update };
                    if slot.is_some() {
                        cx.error_spanned(&meta.path, format!("duplicate `{key}`"));
                    }
                    if let Some(action) = string(cx, &meta, &key)? {
                        let parsed = fk_action(&action.value);
                        match parsed {
                            Some(value) => *slot = Some(Spanned::new(value, action.span)),
                            None => cx.error_at(
                                action.span,
                                format!(
                                    "unknown referential action `{}`: expected \"cascade\", \"set null\", \"restrict\" or \"no action\"",
                                    action.value
                                ),
                            ),
                        }
                    }
                }
                _ => {
                    let message = if super::container::KEYS.contains(&key.as_str()) && !KEYS.contains(&key.as_str()) {
                        format!("`{key}` is a struct attribute: put #[entity({key} = …)] on the struct")
                    } else {
                        match did_you_mean(&key, KEYS) {
                            Some(hint) => format!("unknown entity attribute `{key}`; did you mean `{hint}`?"),
                            None => format!("unknown entity attribute `{key}`; expected one of: {}", KEYS.join(", ")),
                        }
                    };
                    cx.error_spanned(&meta.path, message);
                    skip_value(&meta)?;
                }
            }
            Ok(())
        });
        if let Err(error) = result {
            cx.syn_error(error);
        }
    }
    if let Some(relation) = &mut out.relation {
        super::relation::resolve_target(cx, relation, field_ty);
        // A relation is not a column: it is left out of every statement and
        // DTO, like a `skip` field, and filled only by eager loading.
        if out.skip.is_none() {
            out.skip = Some(relation.span);
        }
    }
    // A version counter starts at 1 in the database.
    if let (Some(span), None) = (out.version, &out.default) {
        out.default = Some(Spanned::new(Default::Int(1), span));
    }
    out
}

/// The expression after `key =`; a missing `=` is recorded (showing
/// `example`) instead of aborting the rest of the attribute.
fn value_expr(
    cx: &Ctxt,
    meta: &syn::meta::ParseNestedMeta,
    example: &str,
) -> syn::Result<Option<Expr>> {
    if !meta.input.peek(syn::Token![=]) {
        cx.error_spanned(
            &meta.path,
            format!("this attribute needs a value: write `{example}`"),
        );
        skip_value(meta)?;
        return Ok(None);
    }
    Ok(Some(meta.value()?.parse()?))
}

fn expr_span(expr: &Expr) -> proc_macro2::Span {
    expr.span()
}

/// `key = true` or `key = false`.
fn boolean(
    cx: &Ctxt,
    meta: &syn::meta::ParseNestedMeta,
    key: &str,
) -> syn::Result<Option<Spanned<bool>>> {
    let example = format!("{key} = false");
    let Some(expr) = value_expr(cx, meta, &example)? else {
        return Ok(None);
    };
    match &expr {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) => Ok(Some(Spanned::new(b.value, b.span))),
        _ => {
            cx.error_spanned(
                &expr,
                format!("`{key}` takes `true` or `false`: write `{example}`"),
            );
            Ok(None)
        }
    }
}

/// The last path segment's name of a type, if it is a path.
fn last_segment(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `Option<T>` → `T` (the last path segment must be `Option` with one type
/// argument; type aliases of `Option` are not seen through).
/// `ty` without the invisible groups a `macro_rules!` `$t:ty` fragment
/// arrives in, so an entity declared by a declarative macro reads as one
/// written out.
fn ungrouped(ty: &Type) -> &Type {
    match ty {
        Type::Group(group) => ungrouped(&group.elem),
        _ => ty,
    }
}

fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ungrouped(ty) else {
        return None;
    };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.iter().collect::<Vec<_>>().as_slice() {
        [GenericArgument::Type(inner)] => Some(ungrouped(inner)),
        _ => None,
    }
}

/// `audit(skip)` or `audit(mask)`.
fn audit_field(
    cx: &Ctxt,
    meta: &syn::meta::ParseNestedMeta,
) -> syn::Result<Option<Spanned<AuditField>>> {
    const FORMS: &str = "write `audit(skip)` to keep the field out of the audit log, or `audit(mask)` to log only that it changed";
    if !meta.input.peek(syn::token::Paren) {
        cx.error_spanned(
            &meta.path,
            format!("`audit` on a field takes an option: {FORMS}"),
        );
        skip_value(meta)?;
        return Ok(None);
    }
    let content;
    syn::parenthesized!(content in meta.input);
    let option: Ident = match content.parse() {
        Ok(option) => option,
        Err(_) => {
            cx.error_spanned(
                &meta.path,
                format!("`audit(…)` takes `skip` or `mask`: {FORMS}"),
            );
            let _: proc_macro2::TokenStream = content.parse()?;
            return Ok(None);
        }
    };
    if !content.is_empty() {
        cx.error_spanned(&meta.path, format!("`audit(…)` takes one option: {FORMS}"));
        let _: proc_macro2::TokenStream = content.parse()?;
    }
    let value = match option.to_string().as_str() {
        "skip" => AuditField::Skip,
        "mask" => AuditField::Mask,
        _ => {
            cx.error_spanned(
                &option,
                format!("unknown `audit` option `{option}`: {FORMS}"),
            );
            return Ok(None);
        }
    };
    Ok(Some(Spanned::new(value, option.span())))
}

fn fk_action(text: &str) -> Option<FkAction> {
    match text.trim().to_ascii_lowercase().replace('_', " ").as_str() {
        "cascade" => Some(FkAction::Cascade),
        "set null" => Some(FkAction::SetNull),
        "restrict" => Some(FkAction::Restrict),
        "no action" => Some(FkAction::NoAction),
        _ => None,
    }
}

fn default_literal(cx: &Ctxt, expr: &Expr) -> Option<Default> {
    let (sign, lit) = match expr {
        Expr::Lit(ExprLit { lit, .. }) => ("", Some(lit)),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr: inner,
            ..
        }) => match &**inner {
            Expr::Lit(ExprLit {
                lit: lit @ (Lit::Int(_) | Lit::Float(_)),
                ..
            }) => ("-", Some(lit)),
            _ => ("", None),
        },
        _ => ("", None),
    };
    match lit {
        Some(Lit::Bool(b)) => Some(Default::Bool(b.value)),
        Some(Lit::Str(s)) => Some(Default::Text(s.value())),
        Some(Lit::Int(n)) => match format!("{sign}{}", n.base10_digits()).parse::<i64>() {
            Ok(n) => Some(Default::Int(n)),
            Err(_) => {
                cx.error_spanned(expr, "integer default does not fit in i64");
                None
            }
        },
        Some(Lit::Float(f)) => Some(Default::Float(format!("{sign}{}", f.base10_digits()))),
        _ => {
            cx.error_spanned(
                expr,
                "`default` takes a literal: `default = 0`, `default = true` or `default = \"text\"`; for an SQL expression write `default_sql = \"CURRENT_TIMESTAMP\"`",
            );
            None
        }
    }
}
