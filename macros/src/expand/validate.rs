//! `impl validator::Validate` for the Create and Update types.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::dto::private;
use crate::model::{Entity, Field, Rule, RuleKind};

/// How a DTO holds a field, and so how its value is reached.
#[derive(Clone, Copy)]
pub(super) enum Access {
    /// `T`: always present.
    Value,
    /// `Option<T>` (nullable): present when `Some`.
    Option,
    /// `Patch<T>` or `Patch<Option<T>>`: present when set (and not null).
    Patch { nullable: bool },
}

impl Access {
    /// An expression that is `false` only when a `required` field holds no
    /// value: a missing `Option`, or a patch that sets NULL. (A patch that
    /// leaves the field out changes nothing, so it passes.)
    fn required(self, ident: &Ident) -> TokenStream {
        match self {
            Access::Value | Access::Patch { nullable: false } => quote!(true),
            Access::Option => quote!(self.#ident.is_some()),
            Access::Patch { nullable: true } => {
                quote!(self.#ident.as_set().is_none_or(::core::option::Option::is_some))
            }
        }
    }

    /// An expression of type `Option<&T>` for `self.<ident>`.
    fn value(self, ident: &Ident) -> TokenStream {
        match self {
            Access::Value => quote!(::core::option::Option::Some(&self.#ident)),
            Access::Option => quote!(self.#ident.as_ref()),
            Access::Patch { nullable: false } => quote!(self.#ident.as_set()),
            Access::Patch { nullable: true } => {
                quote!(self.#ident.as_set().and_then(::core::option::Option::as_ref))
            }
        }
    }
}

/// The rules that apply to `field`: its `#[validate(…)]` ones, plus those
/// implied by column facts (`max_length`, `non_empty`).
pub(super) fn rules(entity: &Entity, field: &Field) -> Vec<Rule> {
    let mut rules = field.rules.clone();
    let has_length = rules.iter().any(|r| matches!(r.kind, RuleKind::Length(..)));
    // Only for text and bytes: `max_length` on anything else is an error of
    // its own already.
    let measurable = matches!(
        last_segment(&field.value_ty).as_deref(),
        Some("String" | "Vec")
    );
    if let (Some(max), false, true) = (&field.max_length, has_length, measurable) {
        rules.push(Rule {
            kind: RuleKind::Length(None, Some(u64::from(max.value)), None),
            code: None,
            message: None,
            span: max.span,
        });
    }
    let non_empty = field.non_empty.or_else(|| {
        let is_string = last_segment(&field.value_ty).as_deref() == Some("String");
        entity
            .dto
            .non_empty_strings
            .filter(|_| !field.nullable && is_string && field.sql_type.is_none())
    });
    let has_min = rules.iter().any(|r| {
        matches!(
            r.kind,
            RuleKind::Length(Some(_), ..) | RuleKind::Length(_, _, Some(_))
        )
    });
    if let (Some(span), false) = (non_empty, has_min) {
        rules.push(Rule {
            kind: RuleKind::Length(Some(1), None, None),
            code: None,
            message: None,
            span,
        });
    }
    rules
}

pub(super) fn validate_impl(
    entity: &Entity,
    name: &Ident,
    fields: &[(&Field, Access)],
) -> TokenStream {
    let p = private(entity);
    let v = quote!(#p::validate);
    let mut checks = Vec::new();
    for (field, access) in fields {
        let rules = rules(entity, field);
        if rules.is_empty() {
            continue;
        }
        let ident = &field.ident;
        let field_name = syn::ext::IdentExt::unraw(ident).to_string();
        let value = access.value(ident);
        let mut present = Vec::new();
        let mut always = Vec::new();
        for rule in &rules {
            let code = option_str(&rule.code);
            let message = option_str(&rule.message);
            let meta = quote!(#v::Meta { code: #code, message: #message });
            let call = match &rule.kind {
                RuleKind::Email => quote!(#v::email(&mut errors, #field_name, #meta, value);),
                RuleKind::Url => quote!(#v::url(&mut errors, #field_name, #meta, value);),
                RuleKind::NonControlCharacter => {
                    quote!(#v::non_control_character(&mut errors, #field_name, #meta, value);)
                }
                RuleKind::Length(min, max, equal) => {
                    let [min, max, equal] = [min, max, equal].map(|n| match n {
                        Some(n) => quote!(::core::option::Option::Some(#n)),
                        None => quote!(::core::option::Option::None),
                    });
                    quote!(#v::length(&mut errors, #field_name, #meta, value, #min, #max, #equal);)
                }
                RuleKind::Range(bounds) => {
                    let [a, b, c, d] = bounds.clone().map(|n| match n {
                        Some(n) => quote!(::core::option::Option::Some(#n)),
                        None => quote!(::core::option::Option::None),
                    });
                    quote!(#v::range(&mut errors, #field_name, #meta, value, #a, #b, #c, #d);)
                }
                RuleKind::Contains(needle) => {
                    quote!(#v::contains(&mut errors, #field_name, #meta, value, #needle);)
                }
                RuleKind::DoesNotContain(needle) => {
                    quote!(#v::does_not_contain(&mut errors, #field_name, #meta, value, #needle);)
                }
                RuleKind::Regex(regex) => {
                    quote!(#v::regex(&mut errors, #field_name, #meta, value, &(#regex));)
                }
                RuleKind::Custom(function) => {
                    quote!(#v::custom(&mut errors, #field_name, #meta, (#function)(value));)
                }
                RuleKind::Nested => quote!(#v::nested(&mut errors, #field_name, value);),
                RuleKind::MustMatch(other) => {
                    // Compared only when the other field is in this DTO and given.
                    let Some((other_field, other_access)) =
                        fields.iter().find(|(f, _)| f.ident == *other)
                    else {
                        continue;
                    };
                    let other_value = other_access.value(&other_field.ident);
                    let other_name = syn::ext::IdentExt::unraw(other).to_string();
                    quote! {
                        if let ::core::option::Option::Some(other) = #other_value {
                            #v::must_match(&mut errors, #field_name, #meta, value, other, #other_name);
                        }
                    }
                }
                RuleKind::Required => {
                    let ok = access.required(ident);
                    always.push(quote!(#v::required(&mut errors, #field_name, #meta, #ok);));
                    continue;
                }
            };
            // Spanned at the rule, so a rule that does not fit the field's
            // type is reported at the rule.
            present.push(super::respan(call, rule.span));
        }
        checks.extend(always);
        if !present.is_empty() {
            checks.push(quote! {
                if let ::core::option::Option::Some(value) = #value {
                    #(#present)*
                }
            });
        }
    }
    quote! {
        #[automatically_derived]
        impl #p::validator::Validate for #name {
            fn validate(&self) -> ::core::result::Result<(), #p::validator::ValidationErrors> {
                #[allow(unused_mut)]
                let mut errors = #p::validator::ValidationErrors::new();
                #(#checks)*
                #v::finish(errors)
            }
        }
    }
}

fn option_str(value: &Option<String>) -> TokenStream {
    match value {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    }
}

/// The name of the last path segment of a type's tokens (`std::string::String` → `String`).
fn last_segment(ty: &TokenStream) -> Option<String> {
    let path: syn::TypePath = syn::parse2(ty.clone()).ok()?;
    path.path.segments.last().map(|s| s.ident.to_string())
}
