//! Inherent constants on the entity: a column handle per column
//! (`User::EMAIL`), a foreign key per `references` field, and a relation
//! per relation field (`User::POSTS`).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use super::dto::private;
use crate::model::{Entity, Field, RelationKind};

pub(super) fn expand(entity: &Entity) -> TokenStream {
    let p = private(entity);
    let ident = &entity.ident;
    let vis = &entity.vis;

    let columns = entity.columns().map(|field| {
        let name = const_name(&field.ident);
        let (ty, value_ty, column) = (&field.ty, &field.value_ty, &field.column.value);
        let kind = if field.in_search() {
            let p_at = super::respan(p.clone(), field.ty_span);
            let kind = quote_spanned!(field.ty_span=> <#value_ty as #p_at::Filterable>::Kind);
            if field.nullable {
                quote!(#p::kind::Nullable<#kind>)
            } else {
                kind
            }
        } else {
            quote!(#p::Opaque)
        };
        let doc = format!(
            "Column `{column}` (field `{}`), for queries: `{ident}::{name}.eq(…)`.",
            field.ident
        );
        quote! {
            #[doc = #doc]
            #vis const #name: #p::Column<#ident, #ty, #value_ty, #kind> = #p::Column::new(#column);
        }
    });

    let foreign_keys: Vec<(&Field, TokenStream)> = entity
        .columns()
        .filter_map(|f| f.references.as_ref().map(|r| (f, r.target.clone())))
        .collect();
    let fk_consts = foreign_keys.iter().map(|(field, target)| {
        let name = fk_const_name(&field.ident);
        let (field_ident, column, value_ty) = (&field.ident, &field.column.value, &field.value_ty);
        let value = if field.nullable {
            quote!(::core::clone::Clone::clone(&row.#field_ident))
        } else {
            quote!(::core::option::Option::Some(::core::clone::Clone::clone(&row.#field_ident)))
        };
        quote! {
            #[doc(hidden)]
            #vis const #name: #p::ForeignKey<#ident, #target, #value_ty> = #p::ForeignKey::new(#column, |row: &#ident| #value);
        }
    });
    // A `via` naming a plain column then fails as a type mismatch that
    // says so, rather than as a missing item.
    let plain_consts = entity
        .columns()
        .filter(|f| f.references.is_none())
        .map(|field| {
            let name = fk_const_name(&field.ident);
            quote! {
                #[doc(hidden)]
                #vis const #name: #p::NotAForeignKey<#ident> = #p::NotAForeignKey::new();
            }
        });
    // `References<T>` only where one field points at `T`: with two, a
    // relation must say which (`via`).
    let references = foreign_keys.iter().filter_map(|(field, target)| {
        let text = target.to_string();
        let sharing = foreign_keys
            .iter()
            .filter(|(_, other)| other.to_string() == text)
            .count();
        (sharing == 1).then(|| {
            let name = fk_const_name(&field.ident);
            let value_ty = &field.value_ty;
            quote! {
                #[automatically_derived]
                impl #p::References<#target> for #ident {
                    type Key = #value_ty;
                    const FOREIGN_KEY: #p::ForeignKey<Self, #target, #value_ty> = #ident::#name;
                }
            }
        })
    });

    let relations = entity.fields.iter().filter_map(|field| {
        let relation = field.relation.as_ref()?;
        let name = const_name(&field.ident);
        let field_ident = &field.ident;
        let target = &relation.target;
        let access = quote!(|row: &mut #ident| &mut row.#field_ident);
        let via = |via: &Option<Ident>| match via {
            Some(via) => {
                let fk = fk_const_name(via);
                quote_spanned!(via.span()=> <#target>::#fk)
            }
            None => quote_spanned!(relation.span=> <#target as #p::References<#ident>>::FOREIGN_KEY),
        };
        let (ty, value) = match &relation.kind {
            RelationKind::HasMany { via: v } => {
                let fk = via(v);
                (quote!(#p::HasMany<#ident, #target>), quote!(#p::HasMany::new(#fk, #access)))
            }
            RelationKind::HasOne { via: v } => {
                let fk = via(v);
                (quote!(#p::HasOne<#ident, #target>), quote!(#p::HasOne::new(#fk, #access)))
            }
            RelationKind::BelongsTo { fk } => {
                let fk = fk_const_name(fk);
                (quote!(#p::BelongsTo<#ident, #target>), quote!(#p::BelongsTo::new(#ident::#fk, #access)))
            }
            RelationKind::ManyToMany { through } => {
                let to_parent = quote_spanned!(relation.span=> <#through as #p::References<#ident>>::FOREIGN_KEY);
                let to_child = quote_spanned!(relation.span=> <#through as #p::References<#target>>::FOREIGN_KEY);
                (
                    quote!(#p::ManyToMany<#ident, #target, #through>),
                    quote!(#p::ManyToMany::new(#to_parent, #to_child, #access)),
                )
            }
        };
        let doc = format!("The `{field_ident}` relation: load it with `.with({ident}::{name})`, filter by it in queries.");
        Some(quote! {
            #[doc = #doc]
            #vis const #name: #ty = #value;
        })
    });

    let clone_checks = entity.fields.iter().filter_map(|field| {
        let relation = field.relation.as_ref()?;
        let target = if relation.target.to_string() == "Self" {
            quote!(#ident)
        } else {
            relation.target.clone()
        };
        Some(quote_spanned! {relation.span=>
            const _: () = #p::assert_relation_target::<#target>();
        })
    });

    quote! {
        #(#clone_checks)*
        #[automatically_derived]
        #[allow(clippy::declare_interior_mutable_const)]
        impl #ident {
            #(#columns)*
            #(#fk_consts)*
            #(#plain_consts)*
            #(#relations)*
        }
        #(#references)*
    }
}

/// `display_name` → `DISPLAY_NAME`.
fn const_name(field: &Ident) -> Ident {
    let text = field.to_string();
    let text = text.strip_prefix("r#").unwrap_or(&text);
    format_ident!("{}", text.to_uppercase(), span = field.span())
}

fn fk_const_name(field: &Ident) -> Ident {
    let text = field.to_string();
    let text = text.strip_prefix("r#").unwrap_or(&text);
    format_ident!("__ENTABLE_FK_{}", text.to_uppercase(), span = field.span())
}
