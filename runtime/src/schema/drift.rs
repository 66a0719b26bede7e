//! Drift: where a live database differs from the entities. A database is
//! drifted when something changed it outside the migrations (an index
//! dropped by hand, a column altered in a console) or when a migration was
//! never run.
//!
//! [`drift`] reads the database ([`introspect`](super::introspect)) and
//! compares it, table by table and aspect by aspect, with what entable
//! creates from the entities ([`introspect::expected`]).

use std::fmt;

use super::Schema;
use super::introspect::{self, ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo};
use crate::backend::Dialect;
use crate::{Db, Result};

/// One difference between the database and the entities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// The table, named as [`TableInfo::name`] names it.
    pub table: String,
    /// What differs.
    pub kind: DriftKind,
}

/// How the database differs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DriftKind {
    /// The entities declare it; the database does not have it.
    Missing(Object),
    /// The database has it; the entities do not declare it.
    Extra(Object),
    /// Both have it, with different values of `aspect`.
    Changed {
        /// What differs.
        object: Object,
        /// Which property of it.
        aspect: Aspect,
        /// The value in the database.
        database: String,
        /// The value the entities declare.
        entities: String,
    },
}

/// What a difference is about.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Object {
    /// The table itself.
    Table,
    /// A column.
    Column(String),
    /// The primary key.
    PrimaryKey,
    /// An index or unique constraint.
    Index(String),
    /// A foreign key.
    ForeignKey(String),
    /// A CHECK constraint (compared by name only).
    Check(String),
}

/// Which property of an [`Object`] differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Aspect {
    /// A column's type.
    Type,
    /// Whether a column accepts NULL.
    Nullable,
    /// A column's default.
    Default,
    /// Whether a column is numbered by the database.
    AutoIncrement,
    /// The columns of a key or index.
    Columns,
    /// The primary key constraint's name.
    Name,
    /// Whether an index is unique.
    Unique,
    /// The condition of a partial index (`unique_live`).
    Condition,
    /// The table and columns a foreign key refers to.
    References,
    /// A foreign key's `ON DELETE` action.
    OnDelete,
    /// A foreign key's `ON UPDATE` action.
    OnUpdate,
}

/// What [`drift_with`] compares.
#[derive(Debug, Clone, Copy, Default)]
pub struct DriftOptions {
    /// Also report the tables of the database that no entity declares.
    /// Off by default: a database often holds tables of other tools.
    /// (sqlx's `_sqlx_migrations` is never reported.)
    pub extra_tables: bool,
}

impl fmt::Display for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Object::Table => f.write_str("table"),
            Object::Column(c) => write!(f, "column {c}"),
            Object::PrimaryKey => f.write_str("primary key"),
            Object::Index(i) => write!(f, "index {i}"),
            Object::ForeignKey(k) => write!(f, "foreign key {k}"),
            Object::Check(c) => write!(f, "check {c}"),
        }
    }
}

impl fmt::Display for Aspect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Aspect::Type => "type",
            Aspect::Nullable => "nullability",
            Aspect::Default => "default",
            Aspect::AutoIncrement => "auto-increment",
            Aspect::Columns => "columns",
            Aspect::Name => "name",
            Aspect::Unique => "uniqueness",
            Aspect::Condition => "condition",
            Aspect::References => "referenced column",
            Aspect::OnDelete => "ON DELETE",
            Aspect::OnUpdate => "ON UPDATE",
        })
    }
}

impl fmt::Display for Drift {
    /// One line a user acts on, e.g. `column posts.title: type is text in
    /// the database, varchar(200) in the entities`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let table = &self.table;
        let subject = |object: &Object| match object {
            Object::Table => format!("table {table}"),
            Object::Column(c) => format!("column {table}.{c}"),
            other => format!("{other} on {table}"),
        };
        match &self.kind {
            DriftKind::Missing(object) => write!(
                f,
                "{}: missing from the database (the entities declare it)",
                subject(object)
            ),
            DriftKind::Extra(object) => write!(
                f,
                "{}: in the database, not in the entities",
                subject(object)
            ),
            DriftKind::Changed {
                object,
                aspect,
                database,
                entities,
            } => write!(
                f,
                "{}: {aspect} is {database} in the database, {entities} in the entities",
                subject(object)
            ),
        }
    }
}

/// The differences between the tables of `db` and `schema`'s entities,
/// tables in name order; empty when the database is what entable would
/// create from the entities. Tables no entity declares are not reported
/// (see [`drift_with`]).
///
/// What is compared, and how server spellings are normalised, is described
/// in `docs/migrations.md` ("Drift against a live database").
///
/// ```
/// use entable::prelude::*;
/// use entable::schema::{Schema, drift};
///
/// #[derive(Entity)]
/// #[entity(table = "posts")]
/// struct Post {
///     #[entity(primary_key, auto_increment)]
///     id: i64,
///     #[entity(index)]
///     views: i32,
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let db = entable::Db::connect("sqlite::memory:").await?;
/// let schema = Schema::of([Post::table()])?;
/// schema.create_all(&db).await?;
/// assert!(drift(&db, &schema).await?.is_empty());
///
/// // Someone drops the index by hand.
/// db.execute_ddl(&[r#"DROP INDEX "ix_posts_views""#.to_owned()]).await?;
/// let found: Vec<String> = drift(&db, &schema).await?.iter().map(|d| d.to_string()).collect();
/// assert_eq!(found, ["index ix_posts_views on posts: missing from the database (the entities declare it)"]);
/// # Ok(())
/// # }
/// ```
pub async fn drift(db: &Db, schema: &Schema) -> Result<Vec<Drift>> {
    drift_with(db, schema, DriftOptions::default()).await
}

/// [`drift`] with options.
pub async fn drift_with(db: &Db, schema: &Schema, options: DriftOptions) -> Result<Vec<Drift>> {
    let dialect = db.dialect();
    let mut actual = Vec::new();
    for table in schema.tables() {
        if let Some(info) = introspect::table(db, table).await? {
            actual.push(info);
        }
    }
    let expected: Vec<TableInfo> = schema
        .tables()
        .iter()
        .map(|t| introspect::expected(dialect, t))
        .collect();
    let mut out = drift_between(dialect, &expected, &actual);
    if options.extra_tables {
        for name in introspect::table_names(db).await? {
            if !expected.iter().any(|t| t.name == name) {
                out.push(Drift {
                    table: name,
                    kind: DriftKind::Extra(Object::Table),
                });
            }
        }
    }
    out.sort_by(|a, b| a.table.cmp(&b.table));
    Ok(out)
}

/// The differences between `actual` (read from a database of `dialect`)
/// and `expected`, for the tables of `expected`; a table of `actual` that
/// `expected` lacks is not reported.
pub fn drift_between(dialect: Dialect, expected: &[TableInfo], actual: &[TableInfo]) -> Vec<Drift> {
    let mut out = Vec::new();
    for want in expected {
        let Some(have) = actual.iter().find(|t| t.name == want.name) else {
            out.push(Drift {
                table: want.name.clone(),
                kind: DriftKind::Missing(Object::Table),
            });
            continue;
        };
        let mut diffs = Diffs {
            table: &want.name,
            out: &mut out,
        };
        // One function per aspect of a table; comments and CHECK
        // constraints plug in here the same way.
        columns(&mut diffs, &want.columns, &have.columns);
        primary_key(&mut diffs, want, have);
        indexes(&mut diffs, dialect, want, have);
        foreign_keys(&mut diffs, &want.foreign_keys, &have.foreign_keys);
        diffs.by_name(
            &want.checks,
            &have.checks,
            String::as_str,
            Object::Check,
            |_, _, _, _| {},
        );
    }
    out
}

/// Collects the differences of one table.
struct Diffs<'a> {
    table: &'a str,
    out: &'a mut Vec<Drift>,
}

impl Diffs<'_> {
    fn push(&mut self, kind: DriftKind) {
        self.out.push(Drift {
            table: self.table.to_owned(),
            kind,
        });
    }

    fn changed<T: PartialEq + Describe>(
        &mut self,
        object: &Object,
        aspect: Aspect,
        database: T,
        entities: T,
    ) {
        if database != entities {
            self.push(DriftKind::Changed {
                object: object.clone(),
                aspect,
                database: database.describe(),
                entities: entities.describe(),
            });
        }
    }

    /// Missing and extra objects by name; `same` compares the pairs.
    fn by_name<T>(
        &mut self,
        want: &[T],
        have: &[T],
        name: impl Fn(&T) -> &str,
        object: impl Fn(String) -> Object,
        mut same: impl FnMut(&mut Self, &Object, &T, &T),
    ) {
        for w in want {
            match have.iter().find(|h| name(h) == name(w)) {
                Some(h) => same(self, &object(name(w).to_owned()), w, h),
                None => self.push(DriftKind::Missing(object(name(w).to_owned()))),
            }
        }
        for h in have {
            if !want.iter().any(|w| name(w) == name(h)) {
                self.push(DriftKind::Extra(object(name(h).to_owned())));
            }
        }
    }
}

/// How a value reads in a message.
trait Describe {
    fn describe(&self) -> String;
}

impl Describe for &str {
    fn describe(&self) -> String {
        (*self).to_owned()
    }
}

impl Describe for Option<&str> {
    fn describe(&self) -> String {
        self.map_or_else(|| "none".to_owned(), str::to_owned)
    }
}

impl Describe for &[String] {
    fn describe(&self) -> String {
        format!("({})", self.join(", "))
    }
}

/// `NULL`/`NOT NULL`, `unique`/`not unique`, …: a flag in words.
#[derive(PartialEq)]
struct Flag(bool, &'static str, &'static str);

impl Describe for Flag {
    fn describe(&self) -> String {
        (if self.0 { self.1 } else { self.2 }).to_owned()
    }
}

fn columns(d: &mut Diffs<'_>, want: &[ColumnInfo], have: &[ColumnInfo]) {
    d.by_name(
        want,
        have,
        |c| &c.name,
        Object::Column,
        |d, object, w, h| {
            d.changed(
                object,
                Aspect::Type,
                h.sql_type.as_str(),
                w.sql_type.as_str(),
            );
            let nullable = |c: &ColumnInfo| Flag(c.nullable, "NULL", "NOT NULL");
            d.changed(object, Aspect::Nullable, nullable(h), nullable(w));
            d.changed(
                object,
                Aspect::Default,
                h.default.as_deref(),
                w.default.as_deref(),
            );
            let auto = |c: &ColumnInfo| Flag(c.auto_increment, "on", "off");
            d.changed(object, Aspect::AutoIncrement, auto(h), auto(w));
        },
    );
}

fn primary_key(d: &mut Diffs<'_>, want: &TableInfo, have: &TableInfo) {
    match (want.primary_key.is_empty(), have.primary_key.is_empty()) {
        (false, true) => d.push(DriftKind::Missing(Object::PrimaryKey)),
        (true, false) => d.push(DriftKind::Extra(Object::PrimaryKey)),
        _ => {
            d.changed(
                &Object::PrimaryKey,
                Aspect::Columns,
                have.primary_key.as_slice(),
                want.primary_key.as_slice(),
            );
            d.changed(
                &Object::PrimaryKey,
                Aspect::Name,
                have.primary_key_name.as_deref(),
                want.primary_key_name.as_deref(),
            );
        }
    }
}

fn indexes(d: &mut Diffs<'_>, dialect: Dialect, want: &TableInfo, have: &TableInfo) {
    let mut have = have.indexes.clone();
    // A UNIQUE written in SQLite's CREATE TABLE has an index named by the
    // server, so the declared name cannot be compared: the same columns
    // stand in for it.
    if dialect == Dialect::Sqlite {
        let named: Vec<String> = have.iter().map(|h| h.name.clone()).collect();
        for h in have
            .iter_mut()
            .filter(|h| h.name.starts_with("sqlite_autoindex_"))
        {
            if let Some(w) = want
                .indexes
                .iter()
                .find(|w| w.unique && w.columns == h.columns && !named.contains(&w.name))
            {
                h.name.clone_from(&w.name);
            }
        }
    }
    // InnoDB's own index for a foreign key (named after it) outlives the
    // key when the key is dropped: it is the server's, not drift.
    if dialect == Dialect::MySql {
        have.retain(|h| h.unique || !want.foreign_keys.iter().any(|fk| fk.name == h.name));
    }
    d.by_name(
        &want.indexes,
        &have,
        |i| &i.name,
        Object::Index,
        |d, object, w, h| {
            d.changed(
                object,
                Aspect::Columns,
                h.columns.as_slice(),
                w.columns.as_slice(),
            );
            let unique = |i: &IndexInfo| Flag(i.unique, "unique", "not unique");
            d.changed(object, Aspect::Unique, unique(h), unique(w));
            d.changed(
                object,
                Aspect::Condition,
                h.condition.as_deref(),
                w.condition.as_deref(),
            );
        },
    );
}

fn foreign_keys(d: &mut Diffs<'_>, want: &[ForeignKeyInfo], have: &[ForeignKeyInfo]) {
    d.by_name(
        want,
        have,
        |k| &k.name,
        Object::ForeignKey,
        |d, object, w, h| {
            d.changed(
                object,
                Aspect::Columns,
                h.columns.as_slice(),
                w.columns.as_slice(),
            );
            let target =
                |k: &ForeignKeyInfo| format!("{}({})", k.target_table, k.target_columns.join(", "));
            d.changed(
                object,
                Aspect::References,
                target(h).as_str(),
                target(w).as_str(),
            );
            d.changed(
                object,
                Aspect::OnDelete,
                h.on_delete.as_str(),
                w.on_delete.as_str(),
            );
            d.changed(
                object,
                Aspect::OnUpdate,
                h.on_update.as_str(),
                w.on_update.as_str(),
            );
        },
    );
}

/// Panics, listing the differences, when `db` differs from the registered
/// entities: put it in a test that runs the migrations on a fresh database,
/// so a migration that does not produce what the entities declare fails.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let db = entable::Db::connect("sqlite::memory:").await?;
/// // … run the migrations (`entable::migrate::run`, feature `migrate`) …
/// entable::schema::assert_no_live_drift(&db).await;
/// # Ok(())
/// # }
/// ```
pub async fn assert_no_live_drift(db: &Db) {
    let schema = match Schema::from_registry() {
        Ok(schema) => schema,
        Err(e) => panic!("{e}"),
    };
    match drift(db, &schema).await {
        Ok(found) if found.is_empty() => {}
        Ok(found) => panic!(
            "the database differs from the entities:\n{}",
            found
                .iter()
                .map(|d| format!("  {d}"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        Err(e) => panic!("cannot read the database's schema: {e}"),
    }
}
