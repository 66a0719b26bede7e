//! The intermediate model between syn and quote. Parsing fills it, checking
//! reads it, expansion turns it into code. Only names, flags, spans and the
//! tokens of types and paths are kept: no syn syntax trees.

use proc_macro2::{Ident, Span, TokenStream};

/// A value with the span of the attribute that gave it.
#[derive(Clone, Debug)]
pub(crate) struct Spanned<T> {
    pub(crate) value: T,
    pub(crate) span: Span,
}

impl<T> Spanned<T> {
    pub(crate) fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// One `#[derive(Entity)]` struct.
pub(crate) struct Entity {
    pub(crate) ident: Ident,
    /// Path to the runtime crate (`::entable` unless `crate = "…"`).
    pub(crate) krate: TokenStream,
    pub(crate) table: Spanned<String>,
    pub(crate) schema: Option<Spanned<String>>,
    pub(crate) fields: Vec<Field>,
    /// `unique(a, b)` and `index(a, b)` on the struct.
    pub(crate) composites: Vec<Composite>,
}

impl Entity {
    /// Fields that are columns (not `skip`).
    pub(crate) fn columns(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.skip.is_none())
    }

    pub(crate) fn primary_key(&self) -> impl Iterator<Item = &Field> {
        self.columns().filter(|f| f.primary_key.is_some())
    }

    /// Every index and unique constraint, field-level first, in order.
    pub(crate) fn indexes(&self) -> Vec<Index> {
        let mut out = Vec::new();
        for field in self.columns() {
            if let Some(span) = field.unique {
                out.push(Index {
                    unique: true,
                    columns: vec![field.column.value.clone()],
                    span,
                });
            }
            if let Some(span) = field.index {
                out.push(Index {
                    unique: false,
                    columns: vec![field.column.value.clone()],
                    span,
                });
            }
        }
        for composite in &self.composites {
            let columns = composite
                .fields
                .iter()
                .filter_map(|ident| self.fields.iter().find(|f| f.ident == *ident))
                .map(|f| f.column.value.clone())
                .collect();
            out.push(Index {
                unique: composite.unique,
                columns,
                span: composite.span,
            });
        }
        out
    }
}

/// A composite `unique(…)` or `index(…)` on the struct.
pub(crate) struct Composite {
    pub(crate) unique: bool,
    pub(crate) fields: Vec<Ident>,
    pub(crate) span: Span,
}

/// A resolved index: its columns by name.
pub(crate) struct Index {
    pub(crate) unique: bool,
    pub(crate) columns: Vec<String>,
    /// Where it was declared.
    pub(crate) span: Span,
}

impl Index {
    /// The name's parts before the table-specific suffix: `uq_`/`ix_`,
    /// table, then the columns joined by `_`.
    pub(crate) fn name(&self, table: &str) -> String {
        let prefix = if self.unique { "uq" } else { "ix" };
        format!("{prefix}_{table}_{}", self.columns.join("_"))
    }
}

/// One field of the struct.
pub(crate) struct Field {
    pub(crate) ident: Ident,
    /// The type with one `Option<…>` removed.
    pub(crate) value_ty: TokenStream,
    pub(crate) ty_span: Span,
    /// The declared type is `Option<…>`.
    pub(crate) nullable: bool,
    /// The declared type is `Option<Option<…>>` (an error).
    pub(crate) nested_option: bool,
    pub(crate) column: Spanned<String>,
    /// `column = "…"` was given, here.
    pub(crate) renamed: Option<Span>,
    pub(crate) skip: Option<Span>,
    pub(crate) primary_key: Option<Span>,
    pub(crate) auto_increment: Option<Span>,
    pub(crate) uuid_v4: Option<Span>,
    pub(crate) sql_type: Option<Spanned<PerDialect>>,
    pub(crate) default: Option<Spanned<Default>>,
    pub(crate) max_length: Option<Spanned<u32>>,
    pub(crate) unique: Option<Span>,
    pub(crate) index: Option<Span>,
    pub(crate) references: Option<Reference>,
    pub(crate) on_delete: Option<Spanned<FkAction>>,
    pub(crate) on_update: Option<Spanned<FkAction>>,
}

/// `references = Path`.
pub(crate) struct Reference {
    /// The referenced entity's type (`Self` already replaced).
    pub(crate) target: TokenStream,
    pub(crate) span: Span,
}

/// An SQL fragment per dialect (`sql_type`, `default_sql`).
#[derive(Clone, Debug)]
pub(crate) struct PerDialect {
    pub(crate) postgres: String,
    pub(crate) mysql: String,
    pub(crate) sqlite: String,
}

/// A column default.
#[derive(Clone, Debug)]
pub(crate) enum Default {
    Bool(bool),
    Int(i64),
    Float(String),
    Text(String),
    Sql(PerDialect),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FkAction {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
}
