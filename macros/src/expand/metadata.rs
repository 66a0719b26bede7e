//! The static `TableMeta`, the `Entity`/`SingleKey` impls and the registry
//! entry.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use crate::model::{Default, Entity, Field, FkAction, PerDialect};

pub(super) fn expand(entity: &Entity) -> TokenStream {
    let krate = &entity.krate;
    let p = quote!(#krate::__private);
    let ident = &entity.ident;
    let entity_name = syn::ext::IdentExt::unraw(ident).to_string();
    let table = &entity.table.value;
    let schema = match &entity.schema {
        Some(s) => {
            let s = &s.value;
            quote!(#p::Some(#s))
        }
        None => quote!(#p::None),
    };
    let columns = entity.columns().map(|f| column(entity, f));
    let primary_key = entity.primary_key().map(|f| &f.column.value);
    let indexes = entity.indexes().into_iter().map(|index| {
        let columns = &index.columns;
        let (unique, live) = (index.unique, index.live);
        let name = match &index.explicit {
            Some(name) => {
                let name = &name.value;
                quote!(#name)
            }
            None => {
                let name = index.name(table);
                const_ident(&p, &[quote!(#name)])
            }
        };
        quote!(#p::IndexMeta { name: #name, columns: &[#(#columns),*], unique: #unique, live: #live })
    });
    let foreign_keys = entity
        .columns()
        .filter_map(|f| f.references.as_ref().map(|r| (f, r)))
        .map(|(f, r)| {
            let target = &r.target;
            let column = &f.column.value;
            let prefix = format!("fk_{table}_");
            let suffix = format!("_{column}");
            let name = match &f.fk_name {
                Some(name) => {
                    let name = &name.value;
                    quote!(#name)
                }
                None => const_ident(
                    &p,
                    &[
                        quote!(#prefix),
                        quote!(<#target as #p::Entity>::TABLE_NAME),
                        quote!(#suffix),
                    ],
                ),
            };
            let on_delete = fk_action(&p, f.on_delete.as_ref().map(|a| a.value));
            let on_update = fk_action(&p, f.on_update.as_ref().map(|a| a.value));
            quote! {
                #p::ForeignKeyMeta {
                    name: #name,
                    column: #column,
                    references: <#target as #p::Entity>::table,
                    on_delete: #on_delete,
                    on_update: #on_update,
                }
            }
        });
    let version = match entity.columns().find(|f| f.version.is_some()) {
        Some(field) => {
            let column = &field.column.value;
            quote!(::core::option::Option::Some(#column))
        }
        None => quote!(::core::option::Option::None),
    };
    let column_of = |pick: fn(&Field) -> bool| match entity.columns().find(|f| pick(f)) {
        Some(field) => {
            let column = &field.column.value;
            quote!(::core::option::Option::Some(#column))
        }
        None => quote!(::core::option::Option::None),
    };
    let created_at = column_of(|f| f.created_at.is_some());
    let updated_at = column_of(|f| f.updated_at.is_some());
    let soft_delete = match entity.columns().find(|f| f.is_soft_delete()) {
        Some(field) => {
            let column = &field.column.value;
            let kind = match field.flag_live() {
                Some(live) => quote!(#p::SoftDeleteKind::Flag { live: #live }),
                None => quote!(#p::SoftDeleteKind::Timestamp),
            };
            quote!(::core::option::Option::Some(#p::SoftDelete { column: #column, kind: #kind }))
        }
        None => quote!(::core::option::Option::None),
    };
    let audited = entity.audit.is_some();
    let renamed_from = renamed_from(entity.renamed_from.as_ref());
    let pk_name = match &entity.primary_key_name {
        Some(name) => {
            let name = &name.value;
            quote!(#name)
        }
        None => {
            let name = format!("pk_{table}");
            const_ident(&p, &[quote!(#name)])
        }
    };
    let table_comment = comment(&entity.comment);
    let field_checks = entity
        .columns()
        .filter_map(|f| f.check.as_ref().map(|c| (f, c)))
        .map(|(f, check)| {
            let default = format!("ck_{table}_{}", f.column.value);
            check_meta(&p, check, &default)
        });
    let struct_checks =
        entity.checks.iter().enumerate().map(|(n, check)| {
            check_meta(&p, check, &crate::check_names::struct_check_name(table, n))
        });
    let checks: Vec<TokenStream> = field_checks.chain(struct_checks).collect();
    // An enum column's own check is named `ck_<table>_<column>` too: a
    // field check beside it needs another name. Whether the type is an
    // enum is known from its `FieldType::LABELS` only, so at const time.
    let enum_clashes = entity
        .columns()
        .filter(|f| f.sql_type.is_none())
        .filter_map(|f| f.check.as_ref().filter(|c| c.name.is_none()).map(|c| (f, c)))
        .map(|(f, check)| {
            let value_ty = &f.value_ty;
            let message = format!(
                "the enum column `{}` has its own check named `ck_{table}_{}`: give this check another name, `check(name = \"…\", sql = \"…\")`",
                f.column.value, f.column.value
            );
            quote_spanned! {check.span=>
                const _: () = ::core::assert!(
                    <#value_ty as #p::FieldType>::LABELS.is_empty(),
                    #message
                );
            }
        });
    let single_key = {
        let mut keys = entity.primary_key();
        match (keys.next(), keys.next()) {
            (Some(key), None) => {
                let ty = &key.value_ty;
                Some(quote!(impl #p::SingleKey for #ident { type Key = #ty; }))
            }
            _ => None,
        }
    };
    let doc = format!(
        "Metadata of table `{table}`, generated by `#[derive(Entity)]` on `{entity_name}`."
    );
    quote! {
        #[doc = #doc]
        static __ENTABLE_TABLE: #p::TableMeta = #p::TableMeta {
            entity: #entity_name,
            name: #table,
            schema: #schema,
            columns: &[#(#columns),*],
            primary_key: &[#(#primary_key),*],
            primary_key_name: #pk_name,
            indexes: &[#(#indexes),*],
            foreign_keys: &[#(#foreign_keys),*],
            version: #version,
            created_at: #created_at,
            updated_at: #updated_at,
            soft_delete: #soft_delete,
            audited: #audited,
            renamed_from: #renamed_from,
            comment: #table_comment,
            checks: &[#(#checks),*],
        };

        #(#enum_clashes)*

        #[automatically_derived]
        impl #p::Entity for #ident {
            const TABLE_NAME: &'static str = #table;
            #[inline]
            fn table() -> &'static #p::TableMeta {
                &__ENTABLE_TABLE
            }
        }

        #[automatically_derived]
        #single_key

        #p::inventory::submit! {
            #p::Registration(<#ident as #p::Entity>::table)
        }
    }
}

fn column(entity: &Entity, field: &Field) -> TokenStream {
    let p = {
        let krate = &entity.krate;
        quote!(#krate::__private)
    };
    let name = &field.column.value;
    let rust = field.ident.to_string();
    let rust = rust.trim_start_matches("r#");
    let value_ty = &field.value_ty;
    let sql_type = match &field.sql_type {
        Some(custom) => {
            let PerDialect {
                postgres,
                mysql,
                sqlite,
            } = &custom.value;
            quote!(#p::SqlType::Custom(#p::CustomSqlType { postgres: #postgres, mysql: #mysql, sqlite: #sqlite }))
        }
        None => quote_spanned!(field.ty_span=> <#value_ty as #p::FieldType>::SQL_TYPE),
    };
    let nullable = field.nullable;
    let max_length = match &field.max_length {
        Some(n) => {
            let n = n.value;
            quote!(#p::Some(#n))
        }
        None => quote!(#p::None),
    };
    let default = match field.default.as_ref().map(|d| &d.value) {
        // A flag's default is its live value, so that inserts, which never
        // write it, make live rows.
        None => match field.flag_live() {
            Some(live) => quote!(#p::Some(#p::DefaultValue::Bool(#live))),
            None => quote!(#p::None),
        },
        Some(Default::Bool(b)) => quote!(#p::Some(#p::DefaultValue::Bool(#b))),
        Some(Default::Int(i)) => quote!(#p::Some(#p::DefaultValue::Int(#i))),
        Some(Default::Float(f)) => quote!(#p::Some(#p::DefaultValue::Float(#f))),
        Some(Default::Text(t)) => quote!(#p::Some(#p::DefaultValue::Text(#t))),
        Some(Default::Sql(PerDialect {
            postgres,
            mysql,
            sqlite,
        })) => quote! {
            #p::Some(#p::DefaultValue::Sql(#p::SqlPerDialect { postgres: #postgres, mysql: #mysql, sqlite: #sqlite }))
        },
    };
    let generated = if field.auto_increment.is_some() {
        quote!(#p::Some(#p::Generated::AutoIncrement))
    } else if field.uuid_v4.is_some() {
        quote!(#p::Some(#p::Generated::UuidV4))
    } else {
        quote!(#p::None)
    };
    let renamed_from = renamed_from(field.renamed_from.as_ref());
    let comment = comment(&field.comment);
    let labels = match &field.sql_type {
        Some(_) => quote!(&[]),
        None => quote_spanned!(field.ty_span=> <#value_ty as #p::FieldType>::LABELS),
    };
    quote! {
        #p::ColumnMeta {
            name: #name,
            field: #rust,
            sql_type: #sql_type,
            nullable: #nullable,
            max_length: #max_length,
            default: #default,
            generated: #generated,
            renamed_from: #renamed_from,
            comment: #comment,
            labels: #labels,
        }
    }
}

/// The `CheckMeta` of a `check` attribute; `default` names it unless it
/// has `name = "…"`.
fn check_meta(p: &TokenStream, check: &crate::model::CheckDecl, default: &str) -> TokenStream {
    let name = match &check.name {
        Some(name) => {
            let name = &name.value;
            quote!(#name)
        }
        None => const_ident(p, &[quote!(#default)]),
    };
    let PerDialect {
        postgres,
        mysql,
        sqlite,
    } = &check.sql;
    quote! {
        #p::CheckMeta {
            name: #name,
            sql: #p::SqlPerDialect { postgres: #postgres, mysql: #mysql, sqlite: #sqlite },
        }
    }
}

fn renamed_from(old: Option<&crate::model::Spanned<String>>) -> TokenStream {
    match old {
        Some(old) => {
            let old = &old.value;
            quote!(::core::option::Option::Some(#old))
        }
        None => quote!(::core::option::Option::None),
    }
}

fn comment(comment: &crate::model::Comment) -> TokenStream {
    match comment.effective() {
        Some(text) => {
            let text = &text.value;
            quote!(::core::option::Option::Some(#text))
        }
        None => quote!(::core::option::Option::None),
    }
}

/// A constraint name built at compile time from `parts` (string literals
/// and `&'static str` constants), truncated with a hash past 63 bytes.
fn const_ident(p: &TokenStream, parts: &[TokenStream]) -> TokenStream {
    quote! {{
        const PARTS: &[&str] = &[#(#parts),*];
        const BYTES: [u8; #p::ident_len(PARTS)] = #p::ident_bytes(PARTS);
        #p::ident_str(&BYTES)
    }}
}

fn fk_action(p: &TokenStream, action: Option<FkAction>) -> TokenStream {
    match action.unwrap_or(FkAction::NoAction) {
        FkAction::NoAction => quote!(#p::FkAction::NoAction),
        FkAction::Restrict => quote!(#p::FkAction::Restrict),
        FkAction::Cascade => quote!(#p::FkAction::Cascade),
        FkAction::SetNull => quote!(#p::FkAction::SetNull),
    }
}
