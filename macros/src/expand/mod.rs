//! Model → code. One file per generated thing.

mod checks;
mod db_enum;
mod dto;
mod fallback;
mod handles;
mod metadata;
mod repo;
pub(crate) mod search;
mod validate;

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::ctxt::Ctxt;

pub(crate) use db_enum::db_enum;

/// `#[derive(Entity)]`.
pub(crate) fn entity(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::default();
    let model = crate::parse::entity(input, &cx);
    if let Some(model) = &model {
        crate::check::entity(model, &cx);
    }
    match model {
        Some(model) if !cx.has_errors() => {
            let metadata = metadata::expand(&model);
            let checks = checks::expand(&model);
            // The DTOs are items the user names, so they live beside the
            // struct, not in the anonymous constant.
            let repo = if model.dto.disabled.is_none() {
                repo::expand(&model)
            } else {
                TokenStream::new()
            };
            let dtos = if model.dto.disabled.is_none() {
                let (create, update, search) = (
                    dto::create(&model),
                    dto::update(&model),
                    search::search(&model),
                );
                quote!(#create #update #search)
            } else {
                TokenStream::new()
            };
            quote! {
                #[doc(hidden)]
                const _: () = {
                    #metadata
                    #checks
                    #repo
                };
                #dtos
            }
        }
        model => {
            let stubs = fallback::expand(input, model.as_ref());
            let errors = cx.into_compile_errors();
            quote! { #errors #stubs }
        }
    }
}

/// `tokens` with every token given `span`, so errors about them point
/// there.
pub(crate) fn respan(tokens: TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(group) = &tree {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tree = proc_macro2::TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}
