//! The derives of [entable](https://docs.rs/entable). Depend on `entable`,
//! which re-exports them; this crate is not meant to be used on its own.
//!
//! Each derive parses its input into the model of `model`, checks it
//! (`check`), then expands it (`expand`). Every mistake becomes a
//! compile error spanned at the attribute or field that caused it; several
//! mistakes give several errors in one build.

mod check;
mod check_lifecycle;
mod check_names;
mod check_sql_type;
mod ctxt;
mod expand;
mod model;
mod naming;
mod parse;
mod test_attr;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives table metadata, DDL and registration for a struct. See
/// `docs/attributes.md` for every `#[entity(…)]` attribute.
#[proc_macro_derive(Entity, attributes(entity, validate))]
pub fn derive_entity(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::entity(&input).into()
}

/// Derives storage as text for a unit-only enum. See `docs/attributes.md`
/// for `#[db_enum(…)]`.
#[proc_macro_derive(DbEnum, attributes(db_enum))]
pub fn derive_db_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::db_enum(&input).into()
}

/// Runs an async test once per configured backend, each time on a fresh
/// database with the entities' tables, dropped afterwards. Use it as
/// `#[entable::test]` (the `entable` crate's `testing` feature); see the
/// runtime's `entable::testing` for the backends and options.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    test_attr::expand(args.into(), item.into()).into()
}
