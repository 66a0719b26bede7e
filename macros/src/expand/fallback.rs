//! When the input has errors: the errors plus minimal impls, so that code
//! using the entity does not drown the real error in follow-on ones.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::model::Entity;

pub(super) fn expand(input: &DeriveInput, model: Option<&Entity>) -> TokenStream {
    if !input.generics.params.is_empty() {
        return TokenStream::new();
    }
    let ident = &input.ident;
    let krate = model.map_or_else(|| quote!(::entable), |m| m.krate.clone());
    let table = model.map_or_else(String::new, |m| m.table.value.clone());
    let single_key = model.and_then(|m| {
        let mut keys = m.primary_key();
        match (keys.next(), keys.next()) {
            (Some(key), None) => Some(key.value_ty.clone()),
            _ => None,
        }
    });
    let single_key = single_key.map(|key| {
        quote! {
            impl #krate::__private::SingleKey for #ident {
                type Key = #key;
            }
        }
    });
    quote! {
        const _: () = {
            impl #krate::__private::Entity for #ident {
                const TABLE_NAME: &'static str = #table;
                fn table() -> &'static #krate::__private::TableMeta {
                    ::core::unreachable!()
                }
            }
            #single_key
        };
    }
}
