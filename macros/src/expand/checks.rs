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
        if field.max_length.is_some() {
            out.extend(quote_spanned!(span=> #p::assert_has_length::<#ty>();));
        }
        let kind = match field.default.as_ref().map(|d| &d.value) {
            Some(Default::Bool(_)) => Some(quote_spanned!(span=> BoolLiteral)),
            Some(Default::Int(_)) => Some(quote_spanned!(span=> IntLiteral)),
            Some(Default::Float(_)) => Some(quote_spanned!(span=> FloatLiteral)),
            Some(Default::Text(_)) => Some(quote_spanned!(span=> TextLiteral)),
            Some(Default::Sql(_)) | None => None,
        };
        if let (Some(kind), None) = (kind, &field.sql_type) {
            out.extend(quote_spanned!(span=> #p::assert_default::<#ty, #p::#kind>();));
        }
    }
    if out.is_empty() {
        return out;
    }
    quote_spanned! {entity.ident.span()=>
        const _: () = { #out };
    }
}
