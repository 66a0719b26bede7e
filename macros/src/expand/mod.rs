//! Model → code. One file per generated thing.

mod checks;
mod db_enum;
mod fallback;
mod metadata;

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
            quote! {
                #[doc(hidden)]
                const _: () = {
                    #metadata
                    #checks
                };
            }
        }
        model => {
            let stubs = fallback::expand(input, model.as_ref());
            let errors = cx.into_compile_errors();
            quote! { #errors #stubs }
        }
    }
}
