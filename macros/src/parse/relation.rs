//! Relation fields: `belongs_to = fk_field`, `has_many`, `has_one`
//! (optionally `(via = fk_field)`), `many_to_many(through = Join)`.

use proc_macro2::Ident;
use quote::ToTokens;
use syn::{GenericArgument, PathArguments, Type};

use super::value::skip_value;
use crate::ctxt::Ctxt;
use crate::model::{Relation, RelationKind};

/// Parses one relation key of a field's `#[entity(…)]`.
pub(super) fn parse(
    cx: &Ctxt,
    meta: &syn::meta::ParseNestedMeta,
    key: &str,
    slot: &mut Option<Relation>,
) -> syn::Result<()> {
    if slot.is_some() {
        cx.error_spanned(
            &meta.path,
            "a field holds one relation: remove the second one",
        );
        skip_value(meta)?;
        return Ok(());
    }
    let span = syn::spanned::Spanned::span(&meta.path);
    let kind = match key {
        "belongs_to" => {
            if !meta.input.peek(syn::Token![=]) {
                cx.error_spanned(&meta.path, "`belongs_to` names this entity's foreign key field: write `belongs_to = user_id`");
                skip_value(meta)?;
                return Ok(());
            }
            let fk: Ident = meta.value()?.parse()?;
            RelationKind::BelongsTo { fk }
        }
        "has_many" | "has_one" => {
            let mut via = None;
            if meta.input.peek(syn::token::Paren) {
                meta.parse_nested_meta(|inner| {
                    if inner.path.is_ident("via") {
                        via = Some(inner.value()?.parse::<Ident>()?);
                    } else {
                        cx.error_spanned(
                            &inner.path,
                            format!("`{key}` takes `via = field`: the child's foreign key field"),
                        );
                        skip_value(&inner)?;
                    }
                    Ok(())
                })?;
            } else if meta.input.peek(syn::Token![=]) {
                cx.error_spanned(&meta.path, format!("write `{key}` or `{key}(via = field)`"));
                skip_value(meta)?;
                return Ok(());
            }
            if key == "has_many" {
                RelationKind::HasMany { via }
            } else {
                RelationKind::HasOne { via }
            }
        }
        _ => {
            let mut through = None;
            if meta.input.peek(syn::token::Paren) {
                meta.parse_nested_meta(|inner| {
                    if inner.path.is_ident("through") {
                        through = Some(inner.value()?.parse::<syn::Path>()?.to_token_stream());
                    } else {
                        cx.error_spanned(
                            &inner.path,
                            "`many_to_many` takes `through = JoinEntity`",
                        );
                        skip_value(&inner)?;
                    }
                    Ok(())
                })?;
            }
            let Some(through) = through else {
                cx.error_spanned(
                    &meta.path,
                    "`many_to_many` needs its join entity: write `many_to_many(through = PostTag)`",
                );
                return Ok(());
            };
            RelationKind::ManyToMany { through }
        }
    };
    *slot = Some(Relation {
        kind,
        span,
        target: Default::default(),
    });
    Ok(())
}

/// Fills the relation's target type from the field type: `Vec<T>` for
/// `has_many`/`many_to_many`, `Option<T>` for `has_one`/`belongs_to`.
pub(super) fn resolve_target(cx: &Ctxt, relation: &mut Relation, ty: &Type) {
    let (wrapper, example) = match relation.kind {
        RelationKind::HasMany { .. } | RelationKind::ManyToMany { .. } => ("Vec", "Vec<Post>"),
        RelationKind::HasOne { .. } | RelationKind::BelongsTo { .. } => ("Option", "Option<User>"),
    };
    match single_argument(ty, wrapper) {
        Some(inner) => relation.target = inner.to_token_stream(),
        None => cx.error_spanned(
            ty,
            format!("this relation's field must be `{wrapper}<Entity>`, e.g. `{example}`"),
        ),
    }
}

/// `Wrapper<T>` → `T`.
fn single_argument<'a>(ty: &'a Type, wrapper: &str) -> Option<&'a Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.iter().collect::<Vec<_>>().as_slice() {
        [GenericArgument::Type(inner)] => Some(inner),
        _ => None,
    }
}
