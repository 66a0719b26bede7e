//! Checks of explicit constraint names (`primary_key_name`, `name = "…"`
//! of indexes, `fk_name`) and of comments.

use proc_macro2::Span;

use crate::ctxt::Ctxt;
use crate::model::{Entity, Spanned};
use crate::naming::{MAX_IDENT, constraint_name_problem};

/// MySQL's limits, the strictest: a column comment holds at most 1024
/// characters, a table comment 2048.
const MAX_COLUMN_COMMENT: usize = 1024;
const MAX_TABLE_COMMENT: usize = 2048;

pub(crate) fn entity(entity: &Entity, cx: &Ctxt) {
    let table = &entity.table.value;
    // Every name the table's constraints get that is known here; foreign
    // keys named by default depend on the target's table name, which
    // another derive decides.
    let mut names: Vec<(String, Span, bool)> = Vec::new();
    match &entity.primary_key_name {
        Some(name) => names.push((name.value.clone(), name.span, true)),
        None => names.push((format!("pk_{table}"), entity.table.span, false)),
    }
    for index in entity.indexes() {
        match &index.explicit {
            Some(name) => names.push((name.value.clone(), name.span, true)),
            None => {
                let default = index.name(table);
                // Past the limit the default is shortened with a hash.
                if default.len() <= MAX_IDENT {
                    names.push((default, index.span, false));
                }
            }
        }
    }
    for field in entity.columns() {
        let Some(name) = &field.fk_name else { continue };
        if field.references.is_none() {
            cx.error_at(
                name.span,
                "`fk_name` names the foreign key `references` makes: add `references = Entity`, or remove `fk_name`",
            );
        }
        names.push((name.value.clone(), name.span, true));
    }
    for field in &entity.fields {
        let Some(check) = &field.check else { continue };
        if field.skip.is_some() || field.relation.is_some() {
            cx.error_at(
                check.span,
                "`check` on a field that is not a column: put it on the struct, `#[entity(check(name = \"…\", sql = \"…\"))]`",
            );
        }
    }
    for (field, check) in entity
        .columns()
        .filter_map(|f| f.check.as_ref().map(|c| (f, c)))
    {
        match &check.name {
            Some(name) => names.push((name.value.clone(), name.span, true)),
            None => {
                let default = format!("ck_{table}_{}", field.column.value);
                if default.len() <= MAX_IDENT {
                    names.push((default, check.span, false));
                }
            }
        }
    }
    for (n, check) in entity.checks.iter().enumerate() {
        match &check.name {
            Some(name) => names.push((name.value.clone(), name.span, true)),
            None => {
                let default = struct_check_name(table, n);
                if default.len() <= MAX_IDENT {
                    names.push((default, check.span, false));
                }
            }
        }
    }
    let mut seen: Vec<&(String, Span, bool)> = Vec::new();
    for entry in &names {
        let (name, span, explicit) = entry;
        if *explicit && let Some(problem) = constraint_name_problem(name) {
            cx.error_at(*span, problem);
            continue;
        }
        // MySQL compares index names without case. Two default names
        // clash only for constraints declared twice, reported elsewhere.
        match seen.iter().find(|s| s.0.eq_ignore_ascii_case(name)) {
            Some(first) if *explicit || first.2 => {
                // Reported at the declared name; the other is described.
                let (at, mine, other, other_explicit) = if *explicit {
                    (*span, name, &first.0, first.2)
                } else {
                    (first.1, &first.0, name, false)
                };
                let how = if other_explicit {
                    "declared"
                } else {
                    "its default name"
                };
                cx.error_at(
                    at,
                    format!(
                        "duplicate constraint name `{mine}`: another constraint or index of table `{table}` is named `{other}` ({how}); names must differ, ignoring case as MySQL does"
                    ),
                );
            }
            Some(_) => {}
            None => seen.push(entry),
        }
    }
    comment(cx, entity.comment.effective(), MAX_TABLE_COMMENT, "table");
    for field in entity.columns() {
        comment(cx, field.comment.effective(), MAX_COLUMN_COMMENT, "column");
    }
}

/// The default name of the struct's `n`th (from 0) check.
pub(crate) fn struct_check_name(table: &str, n: usize) -> String {
    format!("ck_{table}_{}", n + 1)
}

fn comment(cx: &Ctxt, comment: Option<&Spanned<String>>, max: usize, what: &str) {
    let Some(comment) = comment else { return };
    let chars = comment.value.chars().count();
    if chars > max {
        cx.error_at(
            comment.span,
            format!(
                "this {what} comment is {chars} characters long; MySQL keeps at most {max}: give a shorter one with #[entity(comment = \"…\")], or none with `comment = \"\"`"
            ),
        );
    }
    if comment.value.contains('\0') {
        cx.error_at(
            comment.span,
            format!("a {what} comment cannot contain a NUL character"),
        );
    }
}
