//! `impl Model` and `impl<B: Backend> Persist<B>`: what the runtime's
//! repository operations need from an entity.

use proc_macro2::TokenStream;
use quote::quote;

use super::dto::{private, type_name};
use crate::model::{Entity, Field};

pub(super) fn expand(entity: &Entity) -> TokenStream {
    let p = private(entity);
    let ident = &entity.ident;
    let create = type_name(entity, &entity.dto.create_type, "Create");
    let update = type_name(entity, &entity.dto.update_type, "Update");
    let search = type_name(entity, &entity.dto.search_type, "Search");
    let sort = type_name(entity, &entity.dto.sort_type, "Sort");
    let keys: Vec<&Field> = entity.primary_key().collect();
    let columns: Vec<&Field> = entity.columns().collect();

    let key_ty = tuple_or_single(
        keys.iter()
            .map(|f| &f.value_ty)
            .map(|t| quote!(#t))
            .collect(),
    );
    let key_value = tuple_or_single(
        keys.iter()
            .map(|f| &f.ident)
            .map(|i| quote!(::core::clone::Clone::clone(&self.#i)))
            .collect(),
    );
    let key_from_insert_id = match keys.as_slice() {
        [key] if key.auto_increment.is_some() => {
            let ty = &key.value_ty;
            quote!(#p::key_from_insert_id::<#ty>(id))
        }
        _ => quote!({
            let _ = id;
            ::core::option::Option::None
        }),
    };
    let bind_key = if keys.len() == 1 {
        quote!(#p::bind::<B, _>(args, key)?;)
    } else {
        let positions = (0..keys.len()).map(syn::Index::from);
        quote!(#(#p::bind::<B, _>(args, &key.#positions)?;)*)
    };

    // Decoding: columns in metadata order, skipped fields defaulted.
    let decode_fields = entity.fields.iter().map(|field| {
        let ident = &field.ident;
        match columns.iter().position(|c| c.ident == field.ident) {
            Some(i) => quote!(#ident: <B as #p::Backend>::get(row, at + #i)?,),
            None => quote!(#ident: ::core::default::Default::default(),),
        }
    });

    // Inserting: generated UUIDs, given fields, and set defaults.
    let mut known_key_parts = Vec::new();
    // A refused value's error names its column.
    let at = |field: &Field| {
        let column = &field.column.value;
        quote!(.map_err(|e| #p::in_column(e, #column)))
    };
    let create_binds = columns.iter().enumerate().map(|(i, field)| {
        let ident = &field.ident;
        let bit = quote!((1 as #p::ColumnSet) << #i);
        let at = at(field);
        if field.uuid_v4.is_some() {
            if field.primary_key.is_some() {
                known_key_parts.push(quote!(#ident));
            }
            let ty = &field.ty;
            quote! {
                let #ident: #ty = #p::new_uuid_v4::<#ty>().ok_or("uuid_v4 needs a Uuid field")?;
                #p::ValueSink::value(sink, &#ident)?;
                columns |= #bit;
            }
        } else if field.is_timestamp() {
            let ty = &field.ty;
            quote! {
                let value: #ty = #p::Timestamp::from_clock(__entable_now);
                #p::ValueSink::value(sink, &value)?;
                columns |= #bit;
            }
        } else if !field.in_create() {
            quote!()
        } else if field.has_default() {
            quote! {
                if let #p::Patch::Set(value) = &input.#ident {
                    #p::ValueSink::value(sink, value)#at?;
                    columns |= #bit;
                }
            }
        } else {
            if field.primary_key.is_some() {
                known_key_parts.push(quote!(::core::clone::Clone::clone(&input.#ident)));
            }
            quote! {
                #p::ValueSink::value(sink, &input.#ident)#at?;
                columns |= #bit;
            }
        }
    });
    let create_binds: Vec<TokenStream> = create_binds.collect();
    // The same, taking the input by value: values that are not part of the
    // key move into the sink instead of being copied (bulk inserts).
    let create_binds_owned = columns.iter().enumerate().map(|(i, field)| {
        let ident = &field.ident;
        let bit = quote!((1 as #p::ColumnSet) << #i);
        let at = at(field);
        if field.uuid_v4.is_some()
            || field.is_timestamp()
            || !field.in_create()
            || field.primary_key.is_some()
        {
            return None;
        }
        Some(if field.has_default() {
            quote! {
                if let #p::Patch::Set(value) = input.#ident {
                    #p::ValueSink::value_owned(sink, value)#at?;
                    columns |= #bit;
                }
            }
        } else {
            quote! {
                #p::ValueSink::value_owned(sink, input.#ident)#at?;
                columns |= #bit;
            }
        })
    });
    let create_binds_owned: Vec<TokenStream> = create_binds_owned
        .zip(&create_binds)
        .map(|(owned, by_ref)| owned.unwrap_or_else(|| by_ref.clone()))
        .collect();
    // Which columns an insert of the input writes, without binding.
    let create_columns = columns.iter().enumerate().map(|(i, field)| {
        let ident = &field.ident;
        let bit = quote!((1 as #p::ColumnSet) << #i);
        if field.uuid_v4.is_some() || field.is_timestamp() {
            quote!(columns |= #bit;)
        } else if !field.in_create() {
            quote!()
        } else if field.has_default() {
            quote! {
                if let #p::Patch::Set(_) = &input.#ident {
                    columns |= #bit;
                }
            }
        } else {
            quote!(columns |= #bit;)
        }
    });
    let known_key = if known_key_parts.len() == keys.len() {
        let key = tuple_or_single(known_key_parts);
        quote!(::core::option::Option::Some(#key))
    } else {
        quote!(::core::option::Option::None)
    };

    let update_binds = columns
        .iter()
        .enumerate()
        .filter(|(_, f)| f.in_update() || f.updated_at.is_some())
        .map(|(i, field)| {
            let ident = &field.ident;
            let at = at(field);
            if field.updated_at.is_some() {
                let ty = &field.ty;
                return quote! {
                    let value: #ty = #p::Timestamp::from_clock(#p::utc_now());
                    #p::bind::<B, _>(args, &value)?;
                    columns |= (1 as #p::ColumnSet) << #i;
                };
            }
            quote! {
                if let #p::Patch::Set(value) = &input.#ident {
                    #p::bind::<B, _>(args, value)#at?;
                    columns |= (1 as #p::ColumnSet) << #i;
                }
            }
        });
    // One reading of the clock per insert: `created_at` and `updated_at`
    // of a new row are equal.
    let now = columns
        .iter()
        .any(|f| f.is_timestamp())
        .then(|| quote!(let __entable_now = #p::utc_now();));

    let search_fields = columns.iter().filter(|f| f.in_search()).map(|field| {
        let ident = &field.ident;
        let column = &field.column.value;
        quote! {
            if let ::core::option::Option::Some(filter) = &search.#ident {
                parts.extend(filter.conditions().iter().map(|c| #p::condition_expr::<Self, _>(#column, c)));
            }
        }
    });

    let key_filter = match keys.as_slice() {
        [key] => {
            let column = &key.column.value;
            quote!(#p::condition_expr::<Self, _>(#column, &#p::Condition::In(keys.to_vec())))
        }
        _ => {
            let parts = keys.iter().enumerate().map(|(i, key)| {
                let column = &key.column.value;
                let i = syn::Index::from(i);
                quote!(#p::condition_expr::<Self, _>(#column, &#p::Condition::Eq(::core::clone::Clone::clone(&key.#i))))
            });
            quote!(#p::Expr::any_of(keys.iter().map(|key| #p::Expr::all_of([#(#parts),*]))))
        }
    };

    let create_column_binds = columns
        .iter()
        .enumerate()
        .filter(|(_, f)| f.in_create())
        .map(|(i, field)| {
            let ident = &field.ident;
            let bit = quote!((1 as #p::ColumnSet) << #i);
            let at = at(field);
            if field.has_default() {
                quote! {
                    if columns & #bit != 0 {
                        if let #p::Patch::Set(value) = &input.#ident {
                            #p::bind::<B, _>(args, value)#at?;
                        }
                    }
                }
            } else {
                quote! {
                    if columns & #bit != 0 {
                        #p::bind::<B, _>(args, &input.#ident)#at?;
                    }
                }
            }
        });

    let soft_delete_fn = entity.columns().find(|f| f.is_soft_delete()).map(|deleted| {
        // A flag's values are literals in the statement: only a time stamp
        // binds the time of the delete.
        let deleted_at = deleted.deleted_at.is_some().then(|| {
            let deleted_ty = &deleted.ty;
            quote! {
                if !restore {
                    let value: #deleted_ty = ::core::option::Option::Some(#p::Timestamp::from_clock(now));
                    #p::bind::<B, _>(args, &value)?;
                }
            }
        });
        let updated = entity.columns().find(|f| f.updated_at.is_some()).map(|field| {
            let ty = &field.ty;
            quote! {
                let value: #ty = #p::Timestamp::from_clock(now);
                #p::bind::<B, _>(args, &value)?;
            }
        });
        quote! {
            fn bind_soft_delete(restore: bool, args: &mut #p::Args<B>) -> ::core::result::Result<(), #p::BindError> {
                let now = #p::utc_now();
                let _ = (&restore, &now);
                #deleted_at
                #updated
                ::core::result::Result::Ok(())
            }
        }
    });
    let hooks = entity.hooks.is_some();
    let hooks_impl = (!hooks).then(|| {
        quote! {
            #[automatically_derived]
            impl #p::Hooks for #ident {}
        }
    });
    let audit_fns = entity.audit.is_some().then(|| {
        let fields = columns
            .iter()
            .filter(|f| {
                f.audit
                    .as_ref()
                    .is_none_or(|a| a.value != crate::model::AuditField::Skip)
            })
            .map(|field| {
                let ident = &field.ident;
                let column = &field.column.value;
                let masked = field
                    .audit
                    .as_ref()
                    .is_some_and(|a| a.value == crate::model::AuditField::Mask);
                quote! {
                    #p::AuditField {
                        column: #column,
                        value: #p::AuditValue::audit_value(&self.#ident),
                        masked: #masked,
                    }
                }
            });
        let parts = if keys.len() == 1 {
            quote!(#p::AuditValue::audit_value(key))
        } else {
            let positions = (0..keys.len()).map(syn::Index::from);
            quote!(#(#p::AuditValue::audit_value(&key.#positions)),*)
        };
        quote! {
            fn audit_fields(&self) -> ::std::vec::Vec<#p::AuditField> {
                ::std::vec![#(#fields),*]
            }
            fn audit_key(key: &Self::Key) -> ::std::string::String {
                #p::key_text(&[#parts])
            }
        }
    });
    let version_fns = entity.columns().find(|f| f.version.is_some()).map(|field| {
        let ident = &field.ident;
        // Widened to `i64`: the check admits `i16`, `i32` and `i64` only.
        quote! {
            fn expected_version(update: &#update) -> ::core::option::Option<i64> {
                ::core::option::Option::Some(::core::convert::From::from(update.#ident))
            }
            fn version(&self) -> ::core::option::Option<i64> {
                ::core::option::Option::Some(::core::convert::From::from(self.#ident))
            }
        }
    });
    let handles = super::handles::expand(entity);

    let mut bounds: Vec<TokenStream> = columns.iter().map(|f| f.ty.clone()).collect();
    bounds.extend(
        columns
            .iter()
            .filter(|f| f.in_search())
            .map(|f| f.value_ty.clone()),
    );
    bounds.push(quote!(#p::uuid::Uuid));

    // Whether the Create type's `validate` can fail at all: without rules,
    // bulk inserts need not collect their rows to validate them first.
    let validates_create = entity
        .fields
        .iter()
        .filter(|f| f.in_create())
        .any(|f| !super::validate::rules(entity, f).is_empty());

    quote! {
        static __ENTABLE_SQL: #p::SqlCache = #p::SqlCache::new();

        #[automatically_derived]
        impl #p::Model for #ident {
            type Key = #key_ty;
            type Create = #create;
            type Update = #update;
            type Search = #search;
            type Sort = #sort;

            fn sql() -> &'static #p::SqlCache {
                &__ENTABLE_SQL
            }
            fn key(&self) -> Self::Key {
                #key_value
            }
            fn key_from_insert_id(id: u64) -> ::core::option::Option<Self::Key> {
                #key_from_insert_id
            }
            fn create_columns(input: &#create) -> #p::ColumnSet {
                let mut columns: #p::ColumnSet = 0;
                #(#create_columns)*
                columns
            }
            fn update_is_empty(update: &#update) -> bool {
                update.is_empty()
            }
            fn search_sort(search: &#search) -> &#p::SortList<#sort> {
                &search.sort
            }
            fn search_page(search: &#search) -> #p::PageRequest {
                search.page_request()
            }
            fn search_filter(search: &#search) -> #p::Expr<Self> {
                let mut parts: ::std::vec::Vec<#p::Expr<Self>> = ::std::vec::Vec::new();
                #(#search_fields)*
                if !search.any_of.is_empty() {
                    parts.push(#p::Expr::any_of(search.any_of.iter().map(<Self as #p::Model>::search_filter)));
                }
                if !search.all_of.is_empty() {
                    parts.push(#p::Expr::all_of(search.all_of.iter().map(<Self as #p::Model>::search_filter)));
                }
                #p::Expr::all_of(parts)
            }
            fn key_filter(keys: &[Self::Key]) -> #p::Expr<Self> {
                #key_filter
            }
            #version_fns
            const HOOKS: bool = #hooks;
            const VALIDATES_CREATE: bool = #validates_create;
            #audit_fns
        }

        #hooks_impl

        #handles

        #[automatically_derived]
        impl<B: #p::Backend> #p::Persist<B> for #ident
        where
            #(#bounds: #p::ColumnValue<B>,)*
        {
            fn decode_at(row: &#p::Row<B>, at: usize) -> ::core::result::Result<Self, #p::sqlx::Error> {
                ::core::result::Result::Ok(Self { #(#decode_fields)* })
            }

            fn bind_key(key: &Self::Key, args: &mut #p::Args<B>) -> ::core::result::Result<(), #p::BindError> {
                #bind_key
                ::core::result::Result::Ok(())
            }

            fn write_create<S: #p::ValueSink<B>>(
                input: &#create,
                sink: &mut S,
            ) -> ::core::result::Result<(#p::ColumnSet, ::core::option::Option<Self::Key>), #p::BindError> {
                let mut columns: #p::ColumnSet = 0;
                #now
                #(#create_binds)*
                ::core::result::Result::Ok((columns, #known_key))
            }

            fn write_create_owned<S: #p::ValueSink<B>>(
                input: #create,
                sink: &mut S,
            ) -> ::core::result::Result<(#p::ColumnSet, ::core::option::Option<Self::Key>), #p::BindError> {
                let mut columns: #p::ColumnSet = 0;
                #now
                #(#create_binds_owned)*
                ::core::result::Result::Ok((columns, #known_key))
            }

            fn bind_update(input: &#update, args: &mut #p::Args<B>) -> ::core::result::Result<#p::ColumnSet, #p::BindError> {
                let mut columns: #p::ColumnSet = 0;
                #(#update_binds)*
                ::core::result::Result::Ok(columns)
            }

            fn bind_create_columns(
                input: &#create,
                columns: #p::ColumnSet,
                args: &mut #p::Args<B>,
            ) -> ::core::result::Result<(), #p::BindError> {
                #(#create_column_binds)*
                ::core::result::Result::Ok(())
            }

            #soft_delete_fn
        }
    }
}

fn tuple_or_single(parts: Vec<TokenStream>) -> TokenStream {
    match parts.as_slice() {
        [one] => one.clone(),
        _ => quote!((#(#parts),*)),
    }
}
