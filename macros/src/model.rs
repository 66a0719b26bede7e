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
    /// `renamed_from = "…"`: the table's previous name (for migrations).
    pub(crate) renamed_from: Option<Spanned<String>>,
    pub(crate) fields: Vec<Field>,
    /// `unique(a, b)` and `index(a, b)` on the struct.
    pub(crate) composites: Vec<Composite>,
    /// The struct's visibility, given to the generated types.
    pub(crate) vis: TokenStream,
    pub(crate) dto: DtoOptions,
    /// `audit`: every change is written to the audit log.
    pub(crate) audit: Option<Span>,
    /// `hooks`: the entity implements `Hooks`, called around each change.
    pub(crate) hooks: Option<Span>,
    /// `primary_key_name = "…"`: the primary key constraint's name.
    pub(crate) primary_key_name: Option<Spanned<String>>,
    /// The table comment: `comment = "…"` or else the doc comment.
    pub(crate) comment: Comment,
    /// `check(…)` on the struct, in order.
    pub(crate) checks: Vec<CheckDecl>,
}

/// A table or column comment: `comment = "…"` (empty for none) wins over
/// the doc comment.
#[derive(Default)]
pub(crate) struct Comment {
    pub(crate) explicit: Option<Spanned<String>>,
    pub(crate) doc: Option<Spanned<String>>,
}

impl Comment {
    /// The comment the database gets, with where it was written.
    pub(crate) fn effective(&self) -> Option<&Spanned<String>> {
        match &self.explicit {
            Some(explicit) if explicit.value.is_empty() => None,
            Some(explicit) => Some(explicit),
            None => self.doc.as_ref().filter(|d| !d.value.is_empty()),
        }
    }
}

/// What the struct says about its generated DTOs.
#[derive(Default)]
pub(crate) struct DtoOptions {
    /// `dto = false`: generate none.
    pub(crate) disabled: Option<Span>,
    pub(crate) create_type: Option<Spanned<String>>,
    pub(crate) update_type: Option<Spanned<String>>,
    pub(crate) search_type: Option<Spanned<String>>,
    pub(crate) sort_type: Option<Spanned<String>>,
    /// Attributes forwarded to one generated type (`create_attr(…)`, …) or
    /// to all three (`dto_attr(…)`).
    pub(crate) create_attrs: Vec<TokenStream>,
    pub(crate) update_attrs: Vec<TokenStream>,
    pub(crate) search_attrs: Vec<TokenStream>,
    pub(crate) max_page_size: Option<Spanned<u32>>,
    /// `non_empty_strings`: every non-nullable `String` must not be empty.
    pub(crate) non_empty_strings: Option<Span>,
}

/// Whether a field appears in a generated type: as decided by default, or
/// as the user said (with the span of the attribute).
pub(crate) type Choice = Option<Spanned<bool>>;

/// One `#[validate(…)]` rule.
#[derive(Clone)]
pub(crate) struct Rule {
    pub(crate) kind: RuleKind,
    pub(crate) code: Option<String>,
    pub(crate) message: Option<String>,
    pub(crate) span: Span,
}

#[derive(Clone)]
pub(crate) enum RuleKind {
    Email,
    Url,
    /// min, max, equal (integer literals).
    Length(Option<u64>, Option<u64>, Option<u64>),
    /// min, max, exclusive_min, exclusive_max (expressions of the field's type).
    Range([Option<TokenStream>; 4]),
    Contains(String),
    DoesNotContain(String),
    NonControlCharacter,
    /// The regex expression (`path = *RE`).
    Regex(TokenStream),
    /// The function (`function = path`), called with `&value`.
    Custom(TokenStream),
    /// The other field.
    MustMatch(Ident),
    Required,
    Nested,
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
            let kinds = [
                (field.unique, &field.unique_name, true, false),
                (field.unique_live, &field.unique_live_name, true, true),
                (field.index, &field.index_name, false, false),
            ];
            for (declared, name, unique, live) in kinds {
                if let Some(span) = declared {
                    out.push(Index {
                        unique,
                        live,
                        columns: vec![field.column.value.clone()],
                        span,
                        explicit: name.clone(),
                    });
                }
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
                live: composite.live,
                columns,
                span: composite.span,
                explicit: composite.name.clone(),
            });
        }
        out
    }
}

/// A composite `unique(…)` or `index(…)` on the struct.
pub(crate) struct Composite {
    pub(crate) unique: bool,
    /// `unique_live(…)`: unique among live rows only.
    pub(crate) live: bool,
    pub(crate) fields: Vec<Ident>,
    pub(crate) span: Span,
    /// `name = "…"` among the fields.
    pub(crate) name: Option<Spanned<String>>,
}

/// A resolved index: its columns by name.
pub(crate) struct Index {
    pub(crate) unique: bool,
    /// Unique among rows that are not soft-deleted only.
    pub(crate) live: bool,
    pub(crate) columns: Vec<String>,
    /// Where it was declared.
    pub(crate) span: Span,
    /// `name = "…"`: the name the user gave it.
    pub(crate) explicit: Option<Spanned<String>>,
}

impl Index {
    /// The default name (before truncation past 63 bytes): `uq_`/`ix_`,
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
    /// The declared type, as written.
    pub(crate) ty: TokenStream,
    /// The value type is JSON or bytes (last path segment `Value`, `Json`
    /// or `Vec`): not searchable unless asked.
    pub(crate) opaque_type: bool,
    pub(crate) column: Spanned<String>,
    /// `column = "…"` was given, here.
    pub(crate) renamed: Option<Span>,
    /// `renamed_from = "…"`: the column's previous name (for migrations).
    pub(crate) renamed_from: Option<Spanned<String>>,
    pub(crate) skip: Option<Span>,
    pub(crate) primary_key: Option<Span>,
    pub(crate) auto_increment: Option<Span>,
    pub(crate) uuid_v4: Option<Span>,
    pub(crate) sql_type: Option<Spanned<PerDialect>>,
    pub(crate) default: Option<Spanned<Default>>,
    pub(crate) max_length: Option<Spanned<u32>>,
    pub(crate) unique: Option<Span>,
    pub(crate) index: Option<Span>,
    /// `unique(name = "…")`, `index(name = "…")`, `unique_live(name = "…")`.
    pub(crate) unique_name: Option<Spanned<String>>,
    pub(crate) index_name: Option<Spanned<String>>,
    pub(crate) unique_live_name: Option<Spanned<String>>,
    pub(crate) references: Option<Reference>,
    /// `fk_name = "…"`: the name of the foreign key `references` makes.
    pub(crate) fk_name: Option<Spanned<String>>,
    /// The column comment: `comment = "…"` or else the doc comment.
    pub(crate) comment: Comment,
    pub(crate) on_delete: Option<Spanned<FkAction>>,
    pub(crate) on_update: Option<Spanned<FkAction>>,
    pub(crate) create: Choice,
    pub(crate) update: Choice,
    pub(crate) searchable: Choice,
    pub(crate) sortable: Choice,
    /// `read_only`: in neither Create nor Update.
    pub(crate) read_only: Option<Span>,
    /// `version`: the optimistic-locking counter (starts at 1, bumped by
    /// every update; the Update DTO carries the value read).
    pub(crate) version: Option<Span>,
    /// `created_at`: set to the time of the insert.
    pub(crate) created_at: Option<Span>,
    /// `updated_at`: set to the time of the insert and of every update.
    pub(crate) updated_at: Option<Span>,
    /// `deleted_at`: the entity is soft-deleted by setting it.
    pub(crate) deleted_at: Option<Span>,
    /// `deleted_flag`: a `bool` soft-delete marker, true once deleted.
    pub(crate) deleted_flag: Option<Span>,
    /// `live_flag`: a `bool` soft-delete marker, true while live.
    pub(crate) live_flag: Option<Span>,
    /// `unique_live`: unique among live (not soft-deleted) rows.
    pub(crate) unique_live: Option<Span>,
    /// `audit(skip)` / `audit(mask)`: how the audit log shows the field.
    pub(crate) audit: Option<Spanned<AuditField>>,
    /// `non_empty`: text must not be empty.
    pub(crate) non_empty: Option<Span>,
    /// `belongs_to`, `has_many`, `has_one` or `many_to_many`: not a column.
    pub(crate) relation: Option<Relation>,
    /// `#[validate(…)]` rules.
    pub(crate) rules: Vec<Rule>,
    /// `check = "…"` or `check(…)`: a CHECK constraint.
    pub(crate) check: Option<CheckDecl>,
}

/// A relation field.
pub(crate) struct Relation {
    pub(crate) kind: RelationKind,
    pub(crate) span: Span,
    /// The related entity: the field type without its `Vec`/`Option`.
    pub(crate) target: TokenStream,
}

pub(crate) enum RelationKind {
    /// The row this entity's foreign key field `fk` points at.
    BelongsTo { fk: Ident },
    /// Rows of the target whose foreign key (`via`, or its only one to this
    /// entity) points here.
    HasMany { via: Option<Ident> },
    /// At most one such row.
    HasOne { via: Option<Ident> },
    /// Target rows linked through join rows of `through`.
    ManyToMany { through: TokenStream },
}

impl Field {
    /// Whether the database fills the column when an insert leaves it out.
    pub(crate) fn has_default(&self) -> bool {
        self.default.is_some()
    }

    pub(crate) fn generated(&self) -> bool {
        self.auto_increment.is_some() || self.uuid_v4.is_some()
    }

    /// `created_at` or `updated_at`: written by entable, not by clients.
    pub(crate) fn is_timestamp(&self) -> bool {
        self.created_at.is_some() || self.updated_at.is_some()
    }

    /// Written by entable only: a version, a time stamp or a soft-delete
    /// marker.
    pub(crate) fn is_managed(&self) -> bool {
        self.version.is_some() || self.is_timestamp() || self.is_soft_delete()
    }

    /// The soft-delete attributes on the field (`deleted_at`,
    /// `deleted_flag`, `live_flag`), with their names.
    pub(crate) fn soft_delete_attrs(&self) -> impl Iterator<Item = (&'static str, Span)> {
        [
            ("deleted_at", self.deleted_at),
            ("deleted_flag", self.deleted_flag),
            ("live_flag", self.live_flag),
        ]
        .into_iter()
        .filter_map(|(name, span)| Some((name, span?)))
    }

    /// The field is the entity's soft-delete marker.
    pub(crate) fn is_soft_delete(&self) -> bool {
        self.soft_delete_attrs().next().is_some()
    }

    /// For a flag marker, the value of live rows (`false` for
    /// `deleted_flag`, `true` for `live_flag`); `None` otherwise.
    pub(crate) fn flag_live(&self) -> Option<bool> {
        if self.deleted_flag.is_some() {
            Some(false)
        } else if self.live_flag.is_some() {
            Some(true)
        } else {
            None
        }
    }

    /// The field is part of the generated Create type.
    pub(crate) fn in_create(&self) -> bool {
        self.skip.is_none()
            && !self.generated()
            && self.read_only.is_none()
            && !self.is_managed()
            && self.create.as_ref().is_none_or(|c| c.value)
    }

    /// The field is part of the generated Update type.
    pub(crate) fn in_update(&self) -> bool {
        self.skip.is_none()
            && self.primary_key.is_none()
            && !self.generated()
            && self.read_only.is_none()
            && !self.is_managed()
            && self.update.as_ref().is_none_or(|c| c.value)
    }

    /// The field has a filter in the generated Search type. By default
    /// every column can be filtered except JSON, bytes and columns with an
    /// explicit `sql_type`, whose values have no portable comparison.
    pub(crate) fn in_search(&self) -> bool {
        self.skip.is_none()
            && match &self.searchable {
                Some(choice) => choice.value,
                None => self.sql_type.is_none() && !self.opaque_type,
            }
    }

    /// The field has a variant in the generated sort enum (by default, when
    /// it is searchable).
    pub(crate) fn in_sort(&self) -> bool {
        self.skip.is_none()
            && match &self.sortable {
                Some(choice) => choice.value,
                None => self.in_search(),
            }
    }
}

/// `references = Path`.
pub(crate) struct Reference {
    /// The referenced entity's type (`Self` already replaced).
    pub(crate) target: TokenStream,
    pub(crate) span: Span,
}

/// A `check` attribute on a field or on the struct.
pub(crate) struct CheckDecl {
    /// `name = "…"`; by default `ck_<table>_<column>` (field) or
    /// `ck_<table>_<n>` (struct).
    pub(crate) name: Option<Spanned<String>>,
    /// The condition per dialect.
    pub(crate) sql: PerDialect,
    /// The `check` key.
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

/// How the audit log shows a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AuditField {
    /// Never: not in old or new values.
    Skip,
    /// As `"***"`: that it changed is logged, not the value.
    Mask,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FkAction {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
}
