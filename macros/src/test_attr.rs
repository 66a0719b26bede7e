//! `#[entable::test]`: an async test run once per configured backend on a
//! fresh database (see the runtime's `testing` module, which does the
//! work; this only rewrites the function into a call of
//! `entable::testing::run`).

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, FnArg, ItemFn, Meta, Token};

use crate::ctxt::Ctxt;
use crate::naming::did_you_mean;

const KEYS: &[&str] = &["schema", "crate"];

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let cx = Ctxt::default();
    let function: ItemFn = match syn::parse2(item) {
        Ok(function) => function,
        Err(e) => return e.to_compile_error(),
    };
    let mut schema: Option<Expr> = None;
    let mut krate: Option<syn::Path> = None;
    match Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args) {
        Ok(metas) => {
            for meta in metas {
                let key = meta.path().get_ident().map(ToString::to_string);
                match (key.as_deref(), &meta) {
                    (Some("schema"), Meta::NameValue(nv)) => {
                        if schema.replace(nv.value.clone()).is_some() {
                            cx.error_spanned(&nv.path, "duplicate `schema`");
                        }
                    }
                    (Some("crate"), Meta::NameValue(nv)) => match string_path(&nv.value) {
                        Ok(path) => krate = Some(path),
                        Err(e) => cx.syn_error(e),
                    },
                    (Some(key @ ("schema" | "crate")), _) => {
                        cx.error_spanned(&meta, format!("`{key}` takes a value: `{key} = …`"))
                    }
                    _ => {
                        let written = key.unwrap_or_default();
                        let hint = match did_you_mean(&written, KEYS) {
                            Some(hint) => format!("; did you mean `{hint}`?"),
                            None => "; the options are `schema = <fn returning Result<Schema, SchemaError>>` and `crate = \"path\"`".to_owned(),
                        };
                        cx.error_spanned(
                            meta.path(),
                            format!("unknown `entable::test` option `{written}`{hint}"),
                        );
                    }
                }
            }
        }
        Err(e) => cx.syn_error(e),
    }
    check_signature(&function, &cx);
    if cx.has_errors() {
        // The function is kept so that its body is still checked and no
        // "not found" errors follow from its absence.
        let errors = cx.into_compile_errors();
        return quote!(#errors #function);
    }
    let krate = krate.map_or_else(|| quote!(::entable), |p| quote!(#p));
    let schema = schema.map_or_else(
        || quote!(#krate::schema::Schema::from_registry),
        |e| quote!(#e),
    );
    let name = &function.sig.ident;
    let attrs = &function.attrs;
    let vis = &function.vis;
    let mut inner = function.clone();
    inner.attrs.clear();
    inner.vis = syn::Visibility::Inherited;
    quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        #vis fn #name() {
            #inner
            #krate::testing::run(
                ::core::concat!(::core::module_path!(), "::", ::core::stringify!(#name)),
                #schema,
                #name,
            )
        }
    }
}

fn check_signature(function: &ItemFn, cx: &Ctxt) {
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        cx.error_spanned(
            sig.fn_token,
            "`#[entable::test]` functions are `async fn`: the test runs in a runtime it builds",
        );
    }
    if !sig.generics.params.is_empty() {
        cx.error_spanned(
            &sig.generics,
            "`#[entable::test]` functions take no generic parameters",
        );
    }
    let params: Vec<&FnArg> = sig.inputs.iter().collect();
    match params.as_slice() {
        [FnArg::Typed(_)] => {}
        [FnArg::Receiver(receiver)] => cx.error_spanned(
            receiver,
            "`#[entable::test]` functions take `db: Db`, not `self`",
        ),
        [] => cx.error_spanned(
            &sig.ident,
            "`#[entable::test]` functions take one parameter, the test database: add `db: Db`",
        ),
        [_, extra, ..] => cx.error_spanned(
            extra,
            "`#[entable::test]` functions take one parameter, the test database: `db: Db`",
        ),
    }
}

/// `crate = "path"`.
fn string_path(value: &Expr) -> syn::Result<syn::Path> {
    match value {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => s.parse(),
        other => Err(syn::Error::new_spanned(
            other,
            "`crate` takes the crate's path as a string: `crate = \"my_entable\"`",
        )),
    }
}
