//! Checks on the parsed model: everything that can be decided from the
//! struct alone. Type-dependent checks (a type without SQL mapping, a
//! foreign key whose type differs from the referenced key) are emitted as
//! code by `expand::checks`, so the compiler reports them at the field.

use std::collections::HashMap;

use proc_macro2::Span;

use crate::ctxt::Ctxt;
use crate::model::{Default, Entity, Field, FkAction, PerDialect, RelationKind};
use crate::naming::{did_you_mean, identifier_problem};

pub(crate) fn entity(entity: &Entity, cx: &Ctxt) {
    if let Some(problem) = identifier_problem(&entity.table.value) {
        cx.error_at(entity.table.span, format!("table name: {problem}"));
    }
    if let Some(schema) = &entity.schema
        && let Some(problem) = identifier_problem(&schema.value)
    {
        cx.error_at(schema.span, format!("schema name: {problem}"));
    }
    if let Some(old) = &entity.renamed_from {
        renamed_from(cx, "table", old, &entity.table.value);
    }
    let pk_count = entity.primary_key().count();
    if pk_count == 0 {
        cx.error_spanned(
            &entity.ident,
            format!(
                "`{}` has no primary key: mark its key field with #[entity(primary_key)] (several fields make a composite key)",
                entity.ident
            ),
        );
    }
    for extra in entity.columns().filter_map(|f| f.version).skip(1) {
        cx.error_at(extra, "an entity has at most one `version` field");
    }
    for extra in entity.columns().filter_map(|f| f.created_at).skip(1) {
        cx.error_at(extra, "an entity has at most one `created_at` field");
    }
    for extra in entity.columns().filter_map(|f| f.updated_at).skip(1) {
        cx.error_at(extra, "an entity has at most one `updated_at` field");
    }
    // Column sets are `u128` bit masks (one statement shape per set).
    if let Some(extra) = entity.columns().nth(MAX_COLUMNS) {
        cx.error_spanned(
            &extra.ident,
            format!(
                "`{}` has more than {MAX_COLUMNS} columns: split it, or mark fields #[entity(skip)]",
                entity.ident
            ),
        );
    }
    let mut seen: HashMap<String, &Field> = HashMap::new();
    for field in &entity.fields {
        check_field(field, pk_count, cx);
        if field.skip.is_some() {
            continue;
        }
        let lower = field.column.value.to_ascii_lowercase();
        if let Some(first) = seen.get(&lower) {
            cx.error_at(
                field.column.span,
                format!(
                    "duplicate column name `{}`: field `{}` already uses it; give one of them #[entity(column = \"…\")]",
                    field.column.value, first.ident
                ),
            );
        } else {
            seen.insert(lower, field);
        }
    }
    check_composites(entity, cx);
    check_dto(entity, cx);
    check_relations(entity, cx);
    crate::check_lifecycle::entity(entity, cx);
    crate::check_names::entity(entity, cx);
}

/// The most columns an entity may map; `entable::repo::MAX_SHAPED_COLUMNS`.
const MAX_COLUMNS: usize = 128;

fn check_relations(entity: &Entity, cx: &Ctxt) {
    for field in &entity.fields {
        let Some(relation) = &field.relation else {
            continue;
        };
        if entity.dto.disabled.is_some() {
            cx.error_at(
                relation.span,
                "relations need the generated repository, which `dto = false` turns off",
            );
        }
        let key_count = entity.primary_key().count();
        let own_key_needed = !matches!(relation.kind, RelationKind::BelongsTo { .. });
        if own_key_needed && key_count > 1 {
            cx.error_at(relation.span, "`has_many`, `has_one` and `many_to_many` need a single-field primary key on this entity");
        }
        if let RelationKind::BelongsTo { fk } = &relation.kind {
            match entity.fields.iter().find(|f| f.ident == *fk) {
                Some(target) if target.references.is_some() && target.skip.is_none() => {}
                Some(_) => cx.error_spanned(
                    fk,
                    format!("`{fk}` is not a foreign key: give it #[entity(references = …)]"),
                ),
                None => {
                    let names: Vec<String> =
                        entity.fields.iter().map(|f| f.ident.to_string()).collect();
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    let hint = did_you_mean(&fk.to_string(), &names)
                        .map(|h| format!("; did you mean `{h}`?"))
                        .unwrap_or_default();
                    cx.error_spanned(fk, format!("no field `{fk}` in this struct{hint}"));
                }
            }
        }
    }
}

fn check_dto(entity: &Entity, cx: &Ctxt) {
    let dto = &entity.dto;
    if dto.disabled.is_some() {
        let given = [
            dto.create_type.as_ref().map(|n| n.span),
            dto.update_type.as_ref().map(|n| n.span),
            dto.search_type.as_ref().map(|n| n.span),
            dto.sort_type.as_ref().map(|n| n.span),
            dto.max_page_size.as_ref().map(|n| n.span),
            dto.non_empty_strings,
        ];
        for span in given.into_iter().flatten() {
            cx.error_at(span, "this configures the generated DTOs, but `dto = false` turns them off; remove one of them");
        }
        return;
    }
    let names = [
        &dto.create_type,
        &dto.update_type,
        &dto.search_type,
        &dto.sort_type,
    ];
    for (i, name) in names.iter().enumerate() {
        if let Some(name) = name
            && names[..i]
                .iter()
                .any(|other| other.as_ref().is_some_and(|o| o.value == name.value))
        {
            cx.error_at(
                name.span,
                format!("two generated types would both be called `{}`", name.value),
            );
        }
    }
    for field in entity.fields.iter().filter(|f| f.skip.is_none()) {
        let name = syn::ext::IdentExt::unraw(&field.ident).to_string();
        if field.in_search() && crate::expand::search::RESERVED.contains(&name.as_str()) {
            cx.error_spanned(
                &field.ident,
                format!("a field called `{name}` clashes with the Search type's own `{name}`; add #[entity(searchable = false)] or rename the field"),
            );
        }
        let left_out = field
            .read_only
            .or_else(|| field.create.as_ref().filter(|c| !c.value).map(|c| c.span));
        if let Some(span) = left_out
            && !field.nullable
            && !field.has_default()
            && !field.generated()
        {
            cx.error_at(
                span,
                "a field left out of the Create type must be nullable, have a default or be generated, or inserts could not fill it",
            );
        }
        if let (Some(update), Some(_)) = (&field.update, field.primary_key)
            && update.value
        {
            cx.error_at(update.span, "primary key fields are never in the Update type: a key identifies the row to update");
        }
        for rule in &field.rules {
            if let crate::model::RuleKind::MustMatch(other) = &rule.kind
                && !entity
                    .fields
                    .iter()
                    .any(|f| f.ident == *other && f.skip.is_none())
            {
                cx.error_spanned(
                    other,
                    format!(
                        "`must_match` names `{other}`, which is not a column of `{}`",
                        entity.ident
                    ),
                );
            }
        }
    }
}

/// The types entable can write the clock's time to.
pub(crate) const TIMESTAMP_TYPES: &str =
    "`DateTime<Utc>`, `NaiveDateTime` (chrono), `OffsetDateTime` or `PrimitiveDateTime` (time)";

/// Whether the field's value type is one of [`TIMESTAMP_TYPES`] (by its
/// last path segment, so paths and imports both work).
pub(crate) fn is_timestamp_type(field: &Field) -> bool {
    use syn::{GenericArgument, PathArguments, Type};
    let Ok(Type::Path(path)) = syn::parse2::<Type>(field.value_ty.clone()) else {
        return false;
    };
    let Some(last) = path.path.segments.last() else {
        return false;
    };
    match last.ident.to_string().as_str() {
        "NaiveDateTime" | "OffsetDateTime" | "PrimitiveDateTime" => last.arguments.is_empty(),
        "DateTime" => match &last.arguments {
            PathArguments::AngleBracketed(args) => matches!(
                args.args.iter().collect::<Vec<_>>().as_slice(),
                [GenericArgument::Type(Type::Path(zone))]
                    if zone.path.segments.last().is_some_and(|s| s.ident == "Utc")
            ),
            _ => false,
        },
        _ => false,
    }
}

/// An error at each attribute given that conflicts with `managed`, a field
/// attribute whose value entable writes itself.
pub(crate) fn refuse_with_managed(cx: &Ctxt, managed: &str, given: &[(&str, Option<Span>)]) {
    for (other, span) in given {
        if let Some(span) = span {
            cx.error_at(
                *span,
                format!("`{other}` cannot go with `{managed}`, which entable writes itself"),
            );
        }
    }
}

fn check_field(field: &Field, pk_count: usize, cx: &Ctxt) {
    if field.nested_option {
        cx.error_at(field.ty_span, "`Option<Option<T>>` cannot be stored: a column is either NULL or a value; use `Option<T>`");
    }
    if field.skip.is_some() {
        let others = [
            ("primary_key", field.primary_key),
            ("auto_increment", field.auto_increment),
            ("uuid_v4", field.uuid_v4),
            ("unique", field.unique),
            ("index", field.index),
            ("sql_type", field.sql_type.as_ref().map(|s| s.span)),
            ("default", field.default.as_ref().map(|s| s.span)),
            ("max_length", field.max_length.as_ref().map(|s| s.span)),
            ("references", field.references.as_ref().map(|r| r.span)),
            ("on_delete", field.on_delete.as_ref().map(|a| a.span)),
            ("on_update", field.on_update.as_ref().map(|a| a.span)),
            ("column", field.renamed),
            ("create", field.create.as_ref().map(|c| c.span)),
            ("update", field.update.as_ref().map(|c| c.span)),
            ("searchable", field.searchable.as_ref().map(|c| c.span)),
            ("sortable", field.sortable.as_ref().map(|c| c.span)),
            ("read_only", field.read_only),
            ("version", field.version),
            ("created_at", field.created_at),
            ("updated_at", field.updated_at),
            ("deleted_at", field.deleted_at),
            ("deleted_flag", field.deleted_flag),
            ("live_flag", field.live_flag),
            ("unique_live", field.unique_live),
            ("audit", field.audit.as_ref().map(|a| a.span)),
            ("non_empty", field.non_empty),
            ("renamed_from", field.renamed_from.as_ref().map(|r| r.span)),
            ("validate", field.rules.first().map(|r| r.span)),
        ];
        for (name, span) in others {
            if let Some(span) = span {
                cx.error_at(span, format!("`{name}` has no effect on a `skip` field, which is not a column; remove one of them"));
            }
        }
        return;
    }
    if let Some(problem) = identifier_problem(&field.column.value) {
        cx.error_at(field.column.span, format!("column name: {problem}"));
    }
    if let Some(old) = &field.renamed_from {
        renamed_from(cx, "column", old, &field.column.value);
    }
    if field.version.is_some() {
        // Read by its name, as the column type is: the counter is bound and
        // compared as an `i64`, which every signed width converts into
        // losslessly (unsigned types have no PostgreSQL column).
        let ty = field.value_ty.to_string();
        let counter = !field.nullable && matches!(ty.as_str(), "i16" | "i32" | "i64");
        if !counter {
            cx.error_at(
                field.ty_span,
                "a `version` field is an `i16`, `i32` or `i64` (not `Option`): the counter every update raises",
            );
        }
        let conflicting = [
            ("primary_key", field.primary_key),
            ("references", field.references.as_ref().map(|r| r.span)),
            ("read_only", field.read_only),
            ("create", field.create.as_ref().map(|c| c.span)),
            ("update", field.update.as_ref().map(|c| c.span)),
        ];
        refuse_with_managed(cx, "version", &conflicting);
    }
    for (name, span) in [
        ("created_at", field.created_at),
        ("updated_at", field.updated_at),
    ] {
        let Some(span) = span else { continue };
        if field.nullable || !is_timestamp_type(field) {
            cx.error_at(
                field.ty_span,
                format!("`{name}` needs a {TIMESTAMP_TYPES} field (not `Option`)"),
            );
        }
        let conflicting = [
            ("primary_key", field.primary_key),
            ("version", field.version),
            ("read_only", field.read_only),
            ("default", field.default.as_ref().map(|d| d.span)),
            ("create", field.create.as_ref().map(|c| c.span)),
            ("update", field.update.as_ref().map(|c| c.span)),
        ];
        refuse_with_managed(cx, name, &conflicting);
        if field.created_at.is_some() && field.updated_at.is_some() && name == "updated_at" {
            cx.error_at(span, "a field is `created_at` or `updated_at`, not both");
        }
    }
    if let (Some(span), true) = (field.primary_key, field.nullable) {
        cx.error_at(
            span,
            "a primary key cannot be NULL: declare the field as `T`, not `Option<T>`",
        );
    }
    if let Some(span) = field.auto_increment {
        if field.primary_key.is_none() {
            cx.error_at(span, "`auto_increment` is for a primary key: write #[entity(primary_key, auto_increment)]");
        } else if pk_count > 1 {
            cx.error_at(
                span,
                "`auto_increment` needs a single-column primary key, but this key is composite",
            );
        }
        if field.uuid_v4.is_some() {
            cx.error_at(
                span,
                "`auto_increment` and `uuid_v4` conflict: the key is generated one way; keep one",
            );
        }
    }
    if let (Some(span), true) = (field.uuid_v4, field.nullable) {
        cx.error_at(
            span,
            "`uuid_v4` always generates a value: declare the field as `Uuid`, not `Option<Uuid>`",
        );
    }
    if let Some(default) = &field.default {
        if field.auto_increment.is_some() || field.uuid_v4.is_some() {
            cx.error_at(
                default.span,
                "a generated key takes no default: remove `default` or the generator",
            );
        }
        if let Default::Sql(sql) = &default.value {
            check_fragment(sql, default.span, "default_sql", default_sql_problem, cx);
        }
    }
    if let Some(sql_type) = &field.sql_type {
        check_fragment(
            &sql_type.value,
            sql_type.span,
            "sql_type",
            sql_type_problem,
            cx,
        );
        crate::check_sql_type::check(field, cx);
        if let Some(max) = &field.max_length {
            cx.error_at(max.span, "`max_length` and `sql_type` conflict: write the length in the SQL type, e.g. `sql_type = \"VARCHAR(40)\"`");
        }
    }
    if let (Some(unique), Some(_), 1) = (field.unique, field.primary_key, pk_count) {
        cx.error_at(unique, "a primary key is already unique: remove `unique`");
    }
    if let (Some(index), Some(_)) = (field.index, field.unique) {
        cx.error_at(
            index,
            "a unique constraint is already indexed: remove `index`",
        );
    }
    for action in [&field.on_delete, &field.on_update].into_iter().flatten() {
        if field.references.is_none() {
            cx.error_at(
                action.span,
                "`on_delete`/`on_update` need a foreign key: add `references = OtherEntity`",
            );
        } else if action.value == FkAction::SetNull && !field.nullable {
            cx.error_at(
                action.span,
                "\"set null\" needs a nullable column: declare the field as `Option<T>`, or choose \"cascade\" or \"restrict\"",
            );
        }
    }
}

fn check_fragment(
    sql: &PerDialect,
    span: Span,
    key: &str,
    problem: fn(&str) -> Option<&'static str>,
    cx: &Ctxt,
) {
    if sql.postgres == sql.mysql && sql.mysql == sql.sqlite {
        if let Some(why) = problem(&sql.postgres) {
            cx.error_at(span, format!("`{key}` (`{}`) {why}", sql.postgres));
        }
        return;
    }
    for (dialect, text) in [
        ("postgres", &sql.postgres),
        ("mysql", &sql.mysql),
        ("sqlite", &sql.sqlite),
    ] {
        if let Some(why) = problem(text) {
            cx.error_at(span, format!("`{key}` for {dialect} (`{text}`) {why}"));
        }
    }
}

fn sql_type_problem(text: &str) -> Option<&'static str> {
    if text.trim().is_empty() {
        return Some("is empty");
    }
    if !text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " _(),[].'\"".contains(c))
    {
        return Some("may hold only letters, digits, spaces and `_ ( ) , [ ] . ' \"`");
    }
    default_sql_problem(text)
}

fn default_sql_problem(text: &str) -> Option<&'static str> {
    if text.trim().is_empty() {
        return Some("is empty");
    }
    if text.contains(';') || text.contains("--") || text.contains("/*") {
        return Some("must be one expression: `;` and comments are not allowed");
    }
    if !text.matches('\'').count().is_multiple_of(2) || !text.matches('"').count().is_multiple_of(2)
    {
        return Some("has an unterminated string literal");
    }
    balanced(text)
}

fn balanced(text: &str) -> Option<&'static str> {
    let mut depth: i32 = 0;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return Some("has unbalanced parentheses");
        }
    }
    (depth != 0).then_some("has unbalanced parentheses")
}

fn check_composites(entity: &Entity, cx: &Ctxt) {
    let names: Vec<String> = entity.fields.iter().map(|f| f.ident.to_string()).collect();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    for composite in &entity.composites {
        let mut listed: Vec<String> = Vec::new();
        for ident in &composite.fields {
            let name = ident.to_string();
            match entity.fields.iter().find(|f| f.ident == *ident) {
                None => {
                    let hint = did_you_mean(&name, &name_refs)
                        .map(|h| format!("; did you mean `{h}`?"))
                        .unwrap_or_default();
                    cx.error_spanned(
                        ident,
                        format!("no field `{name}` in `{}`{hint}", entity.ident),
                    );
                }
                Some(field) if field.skip.is_some() => {
                    cx.error_spanned(
                        ident,
                        format!(
                            "field `{name}` is `skip`: it is not a column and cannot be indexed"
                        ),
                    );
                }
                Some(_) => {}
            }
            if listed.contains(&name) {
                cx.error_spanned(ident, format!("field `{name}` is listed twice"));
            }
            listed.push(name);
        }
    }
    let indexes = entity.indexes();
    for (i, index) in indexes.iter().enumerate() {
        if indexes[..i]
            .iter()
            .any(|other| other.unique == index.unique && other.columns == index.columns)
        {
            let kind = if index.unique {
                "unique constraint"
            } else {
                "index"
            };
            let columns = index.columns.join(", ");
            cx.error_at(
                index.span,
                format!("duplicate {kind}: `{columns}` is declared twice"),
            );
        }
    }
}

/// `renamed_from = "old"` names a valid identifier other than the current
/// name (a rename to itself would make the migration a no-op that hides a
/// typo).
fn renamed_from(cx: &Ctxt, what: &str, old: &crate::model::Spanned<String>, current: &str) {
    if let Some(problem) = identifier_problem(&old.value) {
        cx.error_at(old.span, format!("renamed_from: {problem}"));
    } else if old.value.eq_ignore_ascii_case(current) {
        cx.error_at(
            old.span,
            format!(
                "`renamed_from = \"{}\"` is the {what}'s current name; name the one it had before, or remove the attribute once every database is migrated",
                old.value
            ),
        );
    }
}
