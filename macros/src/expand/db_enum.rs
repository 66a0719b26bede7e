//! `#[derive(DbEnum)]`: a unit-only enum stored as text.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Data, DeriveInput, Fields};

use crate::ctxt::Ctxt;
use crate::parse::db_enum::{RenameRule, parse_container, parse_variant};

pub(crate) fn db_enum(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::default();
    let Data::Enum(data) = &input.data else {
        cx.error_spanned(
            &input.ident,
            "#[derive(DbEnum)] works on enums whose variants have no fields",
        );
        return cx.into_compile_errors();
    };
    if !input.generics.params.is_empty() {
        cx.error_spanned(
            &input.generics,
            "#[derive(DbEnum)] does not support generic enums",
        );
    }
    if data.variants.is_empty() {
        cx.error_spanned(&input.ident, "#[derive(DbEnum)] needs at least one variant");
    }
    let container = parse_container(&input.attrs, &cx);
    let rule = container.rename_all.unwrap_or(RenameRule::SnakeCase);
    let mut variants: Vec<(syn::Ident, String, Span)> = Vec::new();
    for variant in &data.variants {
        if !matches!(variant.fields, Fields::Unit) {
            cx.error_spanned(
                &variant.fields,
                "#[derive(DbEnum)] stores a variant by its name: variants cannot have fields",
            );
        }
        let rename = parse_variant(&variant.attrs, &cx);
        let (stored, span) = match rename {
            Some(r) => (r.value, r.span),
            None => (rule.apply(&variant.ident.to_string()), variant.ident.span()),
        };
        if stored.is_empty() {
            cx.error_at(span, "a stored name cannot be empty");
        }
        if let Some((other, _, _)) = variants.iter().find(|(_, s, _)| *s == stored) {
            cx.error_at(
                span,
                format!("`{stored}` is already the stored name of `{other}`; rename one of them"),
            );
        }
        variants.push((variant.ident.clone(), stored, span));
    }
    if cx.has_errors() {
        return cx.into_compile_errors();
    }

    let ident = &input.ident;
    let name = ident.to_string();
    let krate = container
        .krate
        .map_or_else(|| quote!(::entable), |p| quote!(#p));
    let p = quote!(#krate::__private);
    let sqlx = quote!(#p::sqlx);
    let idents: Vec<_> = variants.iter().map(|(i, _, _)| i).collect();
    let serde_impls = if container.no_serde {
        TokenStream::new()
    } else {
        quote! {
            #[automatically_derived]
            impl #p::serde::Serialize for #ident {
                fn serialize<S: #p::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                    serializer.serialize_str(#p::DbEnum::as_db_str(self))
                }
            }

            #[automatically_derived]
            impl<'de> #p::serde::Deserialize<'de> for #ident {
                fn deserialize<D: #p::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                    #p::deserialize_db_enum(deserializer)
                }
            }
        }
    };
    let stored: Vec<_> = variants.iter().map(|(_, s, _)| s).collect();
    quote! {
        #[doc(hidden)]
        const _: () = {
            #[automatically_derived]
            impl #p::DbEnum for #ident {
                const VARIANTS: &'static [&'static str] = &[#(#stored),*];
                fn as_db_str(&self) -> &'static str {
                    match self { #(Self::#idents => #stored,)* }
                }
                fn from_db_str(text: &str) -> ::core::option::Option<Self> {
                    match text {
                        #(#stored => ::core::option::Option::Some(Self::#idents),)*
                        _ => ::core::option::Option::None,
                    }
                }
            }

            #[automatically_derived]
            impl #p::FieldType for #ident {
                const SQL_TYPE: #p::SqlType = #p::SqlType::Text;
                const LABELS: &'static [&'static str] = <Self as #p::DbEnum>::VARIANTS;
            }

            #[automatically_derived]
            impl #p::AuditValue for #ident {
                fn audit_value(&self) -> #p::serde_json::Value {
                    #p::serde_json::Value::String(::std::string::String::from(#p::DbEnum::as_db_str(self)))
                }
            }

            #serde_impls

            #[automatically_derived]
            impl #p::Filterable for #ident {
                type Kind = #p::kind::Eq;
            }

            impl #p::AcceptsDefault<#p::TextLiteral> for #ident {
                const TEXTS: ::core::option::Option<&'static [&'static str]> =
                    ::core::option::Option::Some(<Self as #p::DbEnum>::VARIANTS);
            }

            #[automatically_derived]
            impl<DB: #sqlx::Database> #sqlx::Type<DB> for #ident
            where
                str: #sqlx::Type<DB>,
            {
                fn type_info() -> <DB as #sqlx::Database>::TypeInfo {
                    <str as #sqlx::Type<DB>>::type_info()
                }
                fn compatible(ty: &<DB as #sqlx::Database>::TypeInfo) -> bool {
                    <str as #sqlx::Type<DB>>::compatible(ty)
                }
            }

            #[automatically_derived]
            impl<'q, DB: #sqlx::Database> #sqlx::Encode<'q, DB> for #ident
            where
                &'static str: #sqlx::Encode<'q, DB>,
            {
                fn encode_by_ref(
                    &self,
                    buf: &mut <DB as #sqlx::Database>::ArgumentBuffer,
                ) -> ::core::result::Result<#sqlx::encode::IsNull, #sqlx::error::BoxDynError> {
                    <&'static str as #sqlx::Encode<'q, DB>>::encode(#p::DbEnum::as_db_str(self), buf)
                }
            }

            #[automatically_derived]
            impl<'r, DB: #sqlx::Database> #sqlx::Decode<'r, DB> for #ident
            where
                &'r str: #sqlx::Decode<'r, DB>,
            {
                fn decode(
                    value: <DB as #sqlx::Database>::ValueRef<'r>,
                ) -> ::core::result::Result<Self, #sqlx::error::BoxDynError> {
                    let text = <&'r str as #sqlx::Decode<'r, DB>>::decode(value)?;
                    <Self as #p::DbEnum>::from_db_str(text).ok_or_else(|| {
                        ::std::boxed::Box::new(#p::UnknownVariant {
                            enum_name: #name,
                            value: ::std::string::ToString::to_string(text),
                            expected: <Self as #p::DbEnum>::VARIANTS,
                        }) as #sqlx::error::BoxDynError
                    })
                }
            }
        };
    }
}
