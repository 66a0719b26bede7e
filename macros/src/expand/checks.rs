//! Type checks the compiler does for us, each spanned at the field's type
//! so the error points there: foreign key type equals the referenced key,
//! `auto_increment` on an integer, `uuid_v4` on a `Uuid`, `max_length` on
//! text, a literal default that fits the field.

use proc_macro2::TokenStream;
use quote::quote_spanned;

use crate::model::{Default, Entity};

pub(super) fn expand(entity: &Entity) -> TokenStream {
    let krate = &entity.krate;
    let mut out = TokenStream::new();
    for field in entity.columns() {
        let ty = &field.value_ty;
        let span = field.ty_span;
        let p = quote_spanned!(span=> #krate::__private);
        if let Some(reference) = &field.references {
            let target = &reference.target;
            out.extend(quote_spanned! {span=>
                #p::assert_foreign_key::<#ty, <#target as #p::SingleKey>::Key>();
            });
        }
        if field.auto_increment.is_some() {
            out.extend(quote_spanned!(span=> #p::assert_auto_increment::<#ty>();));
        }
        if field.uuid_v4.is_some() {
            out.extend(quote_spanned!(span=> #p::assert_uuid::<#ty>();));
        }
        if entity.audit.is_some() && field.audit.is_none() {
            let ty = &field.ty;
            out.extend(quote_spanned!(span=> #p::assert_audit_value::<#ty>();));
        }
        if field.max_length.is_some() {
            out.extend(quote_spanned!(span=> #p::assert_has_length::<#ty>();));
        }
        if let (Some(default), None) = (&field.default, &field.sql_type) {
            let at = default.span;
            out.extend(match &default.value {
                Default::Bool(_) => {
                    quote_spanned!(at=> #p::assert_default::<#ty, #p::BoolLiteral>();)
                }
                Default::Float(_) => {
                    quote_spanned!(at=> #p::assert_default::<#ty, #p::FloatLiteral>();)
                }
                // Their own constants, so a failed evaluation is reported
                // at the default rather than at the derive.
                // (The path is imported so that the call's own tokens carry
                // the default's span.)
                Default::Int(i) => quote_spanned! {at=>
                    const _: () = { use #krate::__private as p; p::assert_int_default::<#ty>(#i) };
                },
                Default::Text(t) => quote_spanned! {at=>
                    const _: () = { use #krate::__private as p; p::assert_text_default::<#ty>(#t) };
                },
                Default::Sql(_) => TokenStream::new(),
            });
        }
    }
    if out.is_empty() {
        return out;
    }
    quote_spanned! {entity.ident.span()=>
        const _: () = { #out };
    }
}
