//! `DeriveInput` → [`model::Entity`](crate::model::Entity). Problems are
//! recorded in the [`Ctxt`] and parsing goes on, so one build reports them
//! all.

mod check;
mod container;
pub(crate) mod db_enum;
mod field;
mod relation;
mod validate;
mod value;

use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields};

use crate::ctxt::Ctxt;
use crate::model::{Comment, Entity, Spanned};
use crate::naming::snake_case;

/// Parses the struct. `None` when its shape is not a struct with named
/// fields (the error is recorded).
pub(crate) fn entity(input: &DeriveInput, cx: &Ctxt) -> Option<Entity> {
    let fields = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => &named.named,
            Fields::Unnamed(unnamed) => {
                cx.error_spanned(
                    unnamed,
                    "#[derive(Entity)] needs named fields: each field names a column, so write `struct Name { id: i64, … }`",
                );
                return None;
            }
            Fields::Unit => {
                cx.error_spanned(
                    &input.ident,
                    "#[derive(Entity)] needs named fields: a unit struct has no columns",
                );
                return None;
            }
        },
        Data::Enum(data) => {
            cx.error_at(
                data.enum_token.span,
                "#[derive(Entity)] works on structs; for an enum stored in a text column use #[derive(DbEnum)]",
            );
            return None;
        }
        Data::Union(data) => {
            cx.error_at(
                data.union_token.span,
                "#[derive(Entity)] works on structs, not unions",
            );
            return None;
        }
    };
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        cx.error_spanned(
            &input.generics,
            "#[derive(Entity)] does not support generic structs: an entity maps to exactly one table",
        );
    }

    let attrs = container::parse(&input.attrs, cx);
    let table = attrs.table.unwrap_or_else(|| {
        Spanned::new(
            snake_case(&input.ident.unraw().to_string()),
            input.ident.span(),
        )
    });
    let krate = match attrs.krate {
        Some(path) => quote!(#path),
        None => quote!(::entable),
    };
    let fields = fields
        .iter()
        .map(|f| field::parse(f, &input.ident, cx))
        .collect();
    Some(Entity {
        ident: input.ident.clone(),
        krate,
        table,
        schema: attrs.schema,
        renamed_from: attrs.renamed_from,
        fields,
        composites: attrs.composites,
        vis: input.vis.to_token_stream(),
        dto: attrs.dto,
        audit: attrs.audit,
        hooks: attrs.hooks,
        primary_key_name: attrs.primary_key_name,
        comment: Comment {
            explicit: attrs.comment,
            doc: value::doc_comment(&input.attrs),
        },
        checks: attrs.checks,
    })
}
