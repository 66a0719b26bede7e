//! The repository operations, written once for every backend.

use std::future::Future;

use crate::driver::statement;
use validator::Validate;

use super::Hooks;
use super::delete::Removal;
use super::lifecycle;
use super::outcome::{UpsertOutcome, Upserted};
use super::rows::{insert, insert_row, update_row, upsert_row};
use super::{Model, OnEveryBackend, Persist, context};
use super::{bulk, bulk_change};
use crate::driver::{Args, Backend as _};
use crate::dto::Page;
use crate::error::{Error, Result};
use crate::exec::{Exec, with_conn};
use futures_util::TryStreamExt;

use crate::error::bind_error;
use crate::query::builder::Shape;
use crate::query::{Expr, Query, RowStream, Selection};

/// The operations of every entity with a [`Model`]: `User::create(&db, …)`,
/// `User::get(&tx, id)`. The first argument says where to run: `&db` or
/// `&tx`.
///
/// Every operation validates its input before any SQL and reports typed
/// errors
/// ([`Error::UniqueViolation`], [`Error::NotFound`], …) naming the entity
/// and operation.
///
/// ```
/// use entable::dto::Patch;
/// use entable::prelude::*;
///
/// #[derive(Entity, Debug, Clone)]
/// pub struct Book {
///     #[entity(primary_key, auto_increment)]
///     pub id: i64,
///     #[entity(unique, max_length = 200)]
///     pub title: String,
///     pub pages: Option<i32>,
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> entable::Result<()> {
/// let db = Db::connect("sqlite::memory:").await?;
/// Schema::of([Book::table()])?.create_all(&db).await?;
///
/// let book = Book::create(&db, BookCreate { title: "Dune".into(), pages: None }).await?;
/// assert_eq!(Book::get(&db, book.id).await?.map(|b| b.title), Some("Dune".into()));
///
/// // Only the fields a patch sets are written.
/// let patch = BookUpdate { pages: Patch::Set(Some(412)), ..Default::default() };
/// assert_eq!(Book::update(&db, book.id, patch).await?.pages, Some(412));
///
/// // Typed errors: a second "Dune" breaks the unique constraint.
/// let again = Book::create(&db, BookCreate { title: "Dune".into(), pages: None }).await;
/// assert!(matches!(again, Err(entable::Error::UniqueViolation { .. })));
///
/// // Only the key back (on MySQL this skips reading the row back).
/// let emma = Book::create_key(&db, BookCreate { title: "Emma".into(), pages: Some(474) }).await?;
/// assert_eq!(Book::get(&db, emma).await?.map(|b| b.title), Some("Emma".into()));
/// assert!(Book::delete(&db, emma).await?);
///
/// assert_eq!(Book::find(&db, Book::PAGES.gt(400)).await?.len(), 1);
/// assert!(Book::delete(&db, book.id).await?);
/// assert_eq!(Book::count(&db, Expr::all()).await?, 0);
/// # Ok(())
/// # }
/// ```
pub trait Repo: Model + OnEveryBackend + Hooks {
    /// Validates `input` and inserts it; returns the stored row (generated
    /// key and defaults included).
    fn create<'a>(
        exec: impl Into<Exec<'a>>,
        input: Self::Create,
    ) -> impl Future<Output = Result<Self>> + Send + 'a;

    /// [`create`](Self::create), returning only the new row's key. On
    /// MySQL/MariaDB, which have no `RETURNING`, this saves the statement
    /// that reads the row back; elsewhere the row comes back with the
    /// insert anyway. Hooks and the audit log run as for `create`.
    fn create_key<'a>(
        exec: impl Into<Exec<'a>>,
        input: Self::Create,
    ) -> impl Future<Output = Result<Self::Key>> + Send + 'a;

    /// The row with `key`, if any.
    fn get<'a>(
        exec: impl Into<Exec<'a>>,
        key: Self::Key,
    ) -> impl Future<Output = Result<Option<Self>>> + Send + 'a;

    /// The rows with these keys; missing keys are skipped. Long lists are
    /// split into batches that fit the backend's bind-parameter limit; rows
    /// come in key order within each batch, and a key given twice in two
    /// batches comes back twice.
    fn get_many<'a>(
        exec: impl Into<Exec<'a>>,
        keys: Vec<Self::Key>,
    ) -> impl Future<Output = Result<Vec<Self>>> + Send + 'a;

    /// Validates `patch` and writes its set fields to the row with `key`;
    /// returns the row as stored. An empty patch writes nothing. A missing
    /// row is [`Error::NotFound`]. On a versioned entity
    /// (`#[entity(version)]`) the patch carries the version read: the write
    /// applies only while the row still has it (and raises it by one, even
    /// for an empty patch); otherwise nothing is written and the call
    /// returns [`Error::Conflict`].
    fn update<'a>(
        exec: impl Into<Exec<'a>>,
        key: Self::Key,
        patch: Self::Update,
    ) -> impl Future<Output = Result<Self>> + Send + 'a;

    /// Deletes the row with `key`; `false` when there was none. On an
    /// entity with a soft-delete marker (`#[entity(deleted_at)]`,
    /// `deleted_flag` or `live_flag`) this is a soft delete: the row gets
    /// its `deleted_at` time (or its flag flipped; `updated_at` moves on
    /// too) and disappears from
    /// every read unless asked for ([`with_deleted`](Self::with_deleted));
    /// `false` when it was already deleted. Refused ([`Error::Usage`]) on
    /// versioned entities: use [`delete_version`](Self::delete_version).
    fn delete<'a>(
        exec: impl Into<Exec<'a>>,
        key: Self::Key,
    ) -> impl Future<Output = Result<bool>> + Send + 'a;

    /// Deletes the row with `key` if it still has `version`, the version
    /// read (`#[entity(version)]`); `false` when there is no such row,
    /// [`Error::Conflict`] when it has changed since. Versioned entities are
    /// deleted only this way.
    ///
    /// `version` is an `i64` whatever the field's width (`i16`, `i32` or
    /// `i64`): pass the field as read, widened with `.into()`. The database
    /// compares it with the column, so a value the column cannot hold
    /// matches no row and is a [`Error::Conflict`] like any stale version.
    fn delete_version<'a>(
        exec: impl Into<Exec<'a>>,
        key: Self::Key,
        version: i64,
    ) -> impl Future<Output = Result<bool>> + Send + 'a;

    /// Deletes the row with `key` for real, whether it is live or
    /// soft-deleted; `false` when there was none. This is the purge of a
    /// soft-deleting entity, and it does not check a `version`: it is meant
    /// for clean-ups, not for edits that race with others.
    #[track_caller]
    fn force_delete<'a>(
        exec: impl Into<Exec<'a>>,
        key: Self::Key,
    ) -> impl Future<Output = Result<bool>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            lifecycle::remove::<Self>(exec, key, None, Removal::Purge)
        })
    }

    /// Makes the soft-deleted row with `key` live again (`deleted_at` back
    /// to NULL or the flag back to its live value; `updated_at` and
    /// `version` move on); `false` when no soft-deleted row has that key.
    /// [`Error::Usage`] on an entity without a soft-delete marker. A `unique_live` constraint can refuse it
    /// ([`Error::UniqueViolation`]) when a live row took its values since.
    #[track_caller]
    fn restore<'a>(
        exec: impl Into<Exec<'a>>,
        key: Self::Key,
    ) -> impl Future<Output = Result<bool>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            lifecycle::remove::<Self>(exec, key, None, Removal::Restore)
        })
    }

    /// A query that sees soft-deleted rows too: `User::with_deleted()
    /// .get(&db, id)`, `.filter(…).all(&db)`, `.search(&db, &s)`.
    fn with_deleted() -> Query<Self> {
        Query::new().with_deleted()
    }

    /// A query that sees only soft-deleted rows.
    fn only_deleted() -> Query<Self> {
        Query::new().only_deleted()
    }

    /// Validates `input` and inserts it, or, when a row with the same
    /// values in `target` exists (a unique key or the primary key:
    /// `User::EMAIL`, or a tuple of columns), overwrites that row's other
    /// written columns. Returns the row as stored.
    ///
    /// On MySQL the statement is `ON DUPLICATE KEY UPDATE`, which reacts
    /// to a conflict on any unique key of the table, not only `target`.
    ///
    /// ```
    /// # use entable::prelude::*;
    /// # #[derive(Entity, Debug, Clone)]
    /// # struct Stock { #[entity(primary_key, max_length = 12)] sku: String, count: i32 }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> entable::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # Schema::of([Stock::table()])?.create_all(&db).await?;
    /// Stock::upsert(&db, StockCreate { sku: "A-1".into(), count: 5 }, Stock::SKU).await?;
    /// let row = Stock::upsert(&db, StockCreate { sku: "A-1".into(), count: 7 }, Stock::SKU).await?;
    /// assert_eq!(row.count, 7); // the same row, overwritten
    /// assert_eq!(Stock::count(&db, Expr::all()).await?, 1);
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    fn upsert<'a, T: Selection<Self> + Send + 'a>(
        exec: impl Into<Exec<'a>>,
        input: Self::Create,
        target: T,
    ) -> impl Future<Output = Result<Self>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            async move {
                Ok(upsert_one::<Self>(exec, input, target.columns(), false)
                    .await?
                    .0)
            }
        })
    }

    /// [`upsert`](Self::upsert), telling whether the row was inserted or
    /// updated ([`UpsertOutcome`]; an overwrite that changed no value, or
    /// that revived a soft-deleted row, is an update). PostgreSQL reports
    /// it with the row (`RETURNING (xmax = 0)`); SQLite and MySQL read
    /// whether a row holds the target's values first, in the upsert's
    /// transaction (MySQL: one more statement; an update that changed the
    /// row is known from its affected-row count of 2 regardless).
    ///
    /// ```
    /// # use entable::prelude::*;
    /// # use entable::repo::UpsertOutcome;
    /// # #[derive(Entity, Debug, Clone)]
    /// # struct Stock { #[entity(primary_key, max_length = 12)] sku: String, count: i32 }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> entable::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # Schema::of([Stock::table()])?.create_all(&db).await?;
    /// let input = || StockCreate { sku: "A-1".into(), count: 5 };
    /// let first = Stock::upsert_outcome(&db, input(), Stock::SKU).await?;
    /// assert_eq!(first.outcome, UpsertOutcome::Inserted);
    /// let again = Stock::upsert_outcome(&db, input(), Stock::SKU).await?;
    /// assert_eq!(again.outcome, UpsertOutcome::Updated); // nothing changed
    /// assert_eq!(again.row.count, 5);
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    fn upsert_outcome<'a, T: Selection<Self> + Send + 'a>(
        exec: impl Into<Exec<'a>>,
        input: Self::Create,
        target: T,
    ) -> impl Future<Output = Result<Upserted<Self>>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            async move {
                let (row, outcome) =
                    upsert_one::<Self>(exec, input, target.columns(), true).await?;
                let outcome = outcome.ok_or_else(|| Error::Database {
                    context: context::<Self>("upsert"),
                    source: sqlx::Error::Protocol("the upsert reported no outcome".into()),
                })?;
                Ok(Upserted { row, outcome })
            }
        })
    }

    /// Validates every row (an error names the first bad row's index),
    /// then inserts them all in multi-row statements sized to the
    /// backend's bind-parameter limit, in one transaction: all rows or
    /// none (rows that fit one statement go without `BEGIN` and `COMMIT`:
    /// one statement is atomic by itself). Returns the stored rows, in
    /// input order. Timestamps and the
    /// audit log (one record per row) apply; hooks do not run.
    #[track_caller]
    fn bulk_create<'a>(
        exec: impl Into<Exec<'a>>,
        rows: Vec<Self::Create>,
    ) -> impl Future<Output = Result<Vec<Self>>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            async move { Ok(bulk::create::<Self>(exec, rows, true).await?.1) }
        })
    }

    /// [`bulk_create`](Self::bulk_create) without reading the rows back:
    /// returns how many were inserted. On PostgreSQL this is a binary
    /// `COPY` per 100,000 rows (unless the entity is audited or a column
    /// has its own `sql_type`), the fastest load there is.
    ///
    /// `rows` is any iterator of Create values (a `Vec`, or a `map` over
    /// the caller's own data). When the Create type has no validation
    /// rules and the entity is not audited, the rows go into statements as
    /// the iterator yields them, without being collected first; otherwise
    /// (and on PostgreSQL, for its `COPY`) they are collected, validated
    /// and inserted a chunk at a time (10,000 rows when audited, with their
    /// audit records; 100,000 otherwise), so the memory held is bounded by
    /// a chunk, not by the input. Either way the call is all or nothing: a
    /// row failing validation ([`Error::InvalidRow`](crate::Error::InvalidRow),
    /// its index in the whole input) rolls back the chunks before it.
    /// The rows of the first statement are taken first (on PostgreSQL,
    /// up to a `COPY`'s 100,000): when they are the whole input, that
    /// statement is sent alone, without `BEGIN` and `COMMIT` around it.
    ///
    /// ```
    /// # use entable::prelude::*;
    /// # #[derive(Entity, Debug, Clone)]
    /// # struct Stock { #[entity(primary_key, max_length = 12)] sku: String, count: i32 }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> entable::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # Schema::of([Stock::table()])?.create_all(&db).await?;
    /// let rows = (1..=1000).map(|i| StockCreate { sku: format!("S-{i}"), count: i });
    /// assert_eq!(Stock::bulk_insert(&db, rows).await?, 1000);
    /// assert_eq!(Stock::count(&db, Stock::COUNT.gt(500)).await?, 500);
    /// # Ok(())
    /// # }
    /// ```
    #[track_caller]
    fn bulk_insert<'a, I>(
        exec: impl Into<Exec<'a>>,
        rows: I,
    ) -> impl Future<Output = Result<u64>> + Send + 'a
    where
        I: IntoIterator<Item = Self::Create>,
        I::IntoIter: Send + 'a,
    {
        let exec = exec.into();
        let rows = rows.into_iter();
        crate::observe::site::located(async move {
            super::bulk_stream::insert::<Self, _>(exec, rows).await
        })
    }

    /// [`bulk_insert`](Self::bulk_insert) in batch-commit mode, for very
    /// large loads: each `batch` rows are committed by themselves. When a
    /// batch fails, it is rolled back and the error is
    /// [`Error::PartiallyCommitted`] with the number of rows committed
    /// before it (the input's first rows). Every row is validated before
    /// the first batch. Not inside a transaction ([`Error::Usage`]).
    #[track_caller]
    fn bulk_insert_batched<'a>(
        exec: impl Into<Exec<'a>>,
        rows: Vec<Self::Create>,
        batch: usize,
    ) -> impl Future<Output = Result<u64>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            bulk::create_batched::<Self>(exec, rows, batch)
        })
    }

    /// Inserts every row, or overwrites the existing row with the same
    /// `target` values (as [`upsert`](Self::upsert)), in multi-row
    /// statements and one transaction; returns the rows written. A target
    /// value may appear once per call (PostgreSQL refuses to update a row
    /// twice in one statement). On MySQL a table with unique keys besides
    /// the target is upserted row by row, which keeps `upsert`'s check
    /// that no other key matched.
    #[track_caller]
    fn bulk_upsert<'a, T: Selection<Self> + Send + 'a>(
        exec: impl Into<Exec<'a>>,
        rows: Vec<Self::Create>,
        target: T,
    ) -> impl Future<Output = Result<u64>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            async move {
                let (count, _) = bulk::upsert::<Self>(exec, rows, target.columns(), false).await?;
                Ok(count)
            }
        })
    }

    /// [`bulk_upsert`](Self::bulk_upsert), telling for each row, in input
    /// order, whether it was inserted or updated. PostgreSQL reports it
    /// from the statements (`RETURNING (xmax = 0)`); SQLite and MySQL read
    /// which target values are held already first, in the same
    /// transaction, one statement per 500 rows.
    #[track_caller]
    fn bulk_upsert_outcomes<'a, T: Selection<Self> + Send + 'a>(
        exec: impl Into<Exec<'a>>,
        rows: Vec<Self::Create>,
        target: T,
    ) -> impl Future<Output = Result<Vec<UpsertOutcome>>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            async move {
                let (_, outcomes) =
                    bulk::upsert::<Self>(exec, rows, target.columns(), true).await?;
                Ok(outcomes)
            }
        })
    }

    /// Applies each row's own patch to the row with its key, in one
    /// transaction: all or none (a missing key is [`Error::NotFound`], a
    /// stale version [`Error::Conflict`], and nothing is kept). Returns
    /// the rows updated. Hooks and the audit log apply as for
    /// [`update`](Self::update).
    #[track_caller]
    fn bulk_update<'a>(
        exec: impl Into<Exec<'a>>,
        rows: Vec<(Self::Key, Self::Update)>,
    ) -> impl Future<Output = Result<u64>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            bulk_change::update::<Self>(exec, rows)
        })
    }

    /// Deletes the rows with these keys (soft where the entity declares
    /// it), as few statements as the bind limit allows, in one
    /// transaction; returns how many rows were deleted. Refused on
    /// versioned entities.
    #[track_caller]
    fn bulk_delete<'a>(
        exec: impl Into<Exec<'a>>,
        keys: Vec<Self::Key>,
    ) -> impl Future<Output = Result<u64>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            bulk_change::delete::<Self>(exec, keys, false)
        })
    }

    /// Deletes the rows with these keys for real, live or soft-deleted.
    #[track_caller]
    fn bulk_force_delete<'a>(
        exec: impl Into<Exec<'a>>,
        keys: Vec<Self::Key>,
    ) -> impl Future<Output = Result<u64>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            bulk_change::delete::<Self>(exec, keys, true)
        })
    }

    /// Writes `patch`'s set fields to every live row matching `filter` in
    /// one `UPDATE`; returns how many rows it changed. Refused on
    /// versioned entities (it would skip the check).
    #[track_caller]
    fn update_where<'a>(
        exec: impl Into<Exec<'a>>,
        filter: Expr<Self>,
        patch: Self::Update,
    ) -> impl Future<Output = Result<u64>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            bulk_change::update_where::<Self>(exec, filter, patch)
        })
    }

    /// Deletes every live row matching `filter` (soft where the entity
    /// declares it) in one statement; returns how many.
    #[track_caller]
    fn delete_where<'a>(
        exec: impl Into<Exec<'a>>,
        filter: Expr<Self>,
    ) -> impl Future<Output = Result<u64>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            bulk_change::delete_where::<Self>(exec, filter)
        })
    }

    /// One page of the rows matching `search`, with the total count.
    /// `search` is the generated Search type, read from a query string
    /// (`from_query_str`), a JSON body ([`dto::from_json`](crate::dto::from_json))
    /// or built in code; its page size is capped at the entity's
    /// `max_page_size` (100 unless declared).
    ///
    /// ```
    /// # use entable::prelude::*;
    /// # #[derive(Entity, Debug, Clone)]
    /// # struct Stock { #[entity(primary_key, max_length = 12)] sku: String, count: i32 }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> entable::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # Schema::of([Stock::table()])?.create_all(&db).await?;
    /// # for (sku, count) in [("A-1", 3), ("A-2", 9), ("B-1", 12)] {
    /// #     Stock::create(&db, StockCreate { sku: sku.into(), count }).await?;
    /// # }
    /// let search = StockSearch::from_query_str("sku.starts_with=A-&count.gte=1&sort=-count&page_size=1")?;
    /// let page = Stock::search(&db, &search).await?;
    /// assert_eq!((page.total, page.total_pages), (2, 2));
    /// assert_eq!(page.items[0].sku, "A-2");
    /// assert!(page.has_next());
    /// # Ok(())
    /// # }
    /// ```
    fn search<'a>(
        exec: impl Into<Exec<'a>>,
        search: &'a Self::Search,
    ) -> impl Future<Output = Result<Page<Self>>> + Send + 'a;

    /// A query over this entity's rows (filter, order, page, eager loads).
    fn query() -> Query<Self> {
        Query::new()
    }

    /// Every row matching `filter`, in key order.
    #[track_caller]
    fn find<'a>(
        exec: impl Into<Exec<'a>>,
        filter: Expr<Self>,
    ) -> impl Future<Output = Result<Vec<Self>>> + Send + 'a {
        Query::new().filter(filter).all(exec)
    }

    /// The first row matching `filter` in key order.
    #[track_caller]
    fn first<'a>(
        exec: impl Into<Exec<'a>>,
        filter: Expr<Self>,
    ) -> impl Future<Output = Result<Option<Self>>> + Send + 'a {
        Query::new().filter(filter).first(exec)
    }

    /// How many rows match `filter`.
    #[track_caller]
    fn count<'a>(
        exec: impl Into<Exec<'a>>,
        filter: Expr<Self>,
    ) -> impl Future<Output = Result<u64>> + Send + 'a {
        Query::new().filter(filter).count(exec)
    }

    /// Whether any row matches `filter`.
    #[track_caller]
    fn exists<'a>(
        exec: impl Into<Exec<'a>>,
        filter: Expr<Self>,
    ) -> impl Future<Output = Result<bool>> + Send + 'a {
        Query::new().filter(filter).exists(exec)
    }

    /// The rows matching `filter` as a stream, read as they are consumed.
    fn stream<'a>(exec: impl Into<Exec<'a>>, filter: Expr<Self>) -> RowStream<'a, Self> {
        Query::new().filter(filter).stream(exec)
    }
}

impl<E: Model + OnEveryBackend + Hooks> Repo for E {
    #[track_caller]
    fn create<'a>(
        exec: impl Into<Exec<'a>>,
        input: Self::Create,
    ) -> impl Future<Output = Result<Self>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            async move {
                let context = context::<E>("create");
                // With hooks, validation runs after `before_create`, on what it
                // leaves (it may normalise the input).
                if !E::HOOKS {
                    input
                        .validate()
                        .map_err(|errors| Error::Validation { context, errors })?;
                }
                if lifecycle::is_plain::<E>() {
                    insert_row::<E>(exec, &input).await
                } else {
                    lifecycle::create::<E>(exec, input).await
                }
            }
        })
    }

    #[track_caller]
    fn create_key<'a>(
        exec: impl Into<Exec<'a>>,
        input: Self::Create,
    ) -> impl Future<Output = Result<Self::Key>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            async move {
                if lifecycle::is_plain::<E>() {
                    input.validate().map_err(|errors| Error::Validation {
                        context: context::<E>("create"),
                        errors,
                    })?;
                    Ok(insert::<E>(exec, &input, false).await?.key())
                } else {
                    Ok(Self::create(exec, input).await?.key())
                }
            }
        })
    }

    #[track_caller]
    fn get<'a>(
        exec: impl Into<Exec<'a>>,
        key: Self::Key,
    ) -> impl Future<Output = Result<Option<Self>>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            async move {
                let context = context::<E>("get");
                let table = E::table();
                with_conn!(exec, context, B, conn => {
                    let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
                    let mut args = Args::<B>::default();
                    <E as Persist<B>>::bind_key(&key, &mut args).map_err(|e| bind_error(context, e))?;
                    let sql = E::sql().fixed(B::DIALECT, table).select_by_key.clone();
                    let row = statement::fetch_optional::<B>(&mut *conn, sql, args).await.map_err(classify)?;
                    row.map(|row| <E as Persist<B>>::decode(&row).map_err(classify)).transpose()
                })
            }
        })
    }

    #[track_caller]
    fn get_many<'a>(
        exec: impl Into<Exec<'a>>,
        keys: Vec<Self::Key>,
    ) -> impl Future<Output = Result<Vec<Self>>> + Send + 'a {
        crate::observe::site::located({
            let mut exec = exec.into();
            async move {
                let per_key = E::table().primary_key.len().max(1);
                let chunk = (exec.dialect().bind_limit() / per_key).max(1);
                let mut out = Vec::with_capacity(keys.len());
                for keys in keys.chunks(chunk) {
                    out.extend(
                        Query::new()
                            .filter(E::key_filter(keys))
                            .all(exec.reborrow())
                            .await?,
                    );
                }
                Ok(out)
            }
        })
    }

    #[track_caller]
    fn update<'a>(
        exec: impl Into<Exec<'a>>,
        key: Self::Key,
        patch: Self::Update,
    ) -> impl Future<Output = Result<Self>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            async move {
                let context = context::<E>("update");
                // With hooks, validation runs after `before_update`, on what it
                // leaves (it may normalise the input).
                if !E::HOOKS {
                    patch
                        .validate()
                        .map_err(|errors| Error::Validation { context, errors })?;
                }
                if lifecycle::is_plain::<E>() {
                    update_row::<E>(exec, &key, &patch).await
                } else {
                    lifecycle::update::<E>(exec, key, patch).await
                }
            }
        })
    }

    #[track_caller]
    fn delete<'a>(
        exec: impl Into<Exec<'a>>,
        key: Self::Key,
    ) -> impl Future<Output = Result<bool>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            lifecycle::remove::<E>(exec, key, None, Removal::Delete)
        })
    }

    #[track_caller]
    fn delete_version<'a>(
        exec: impl Into<Exec<'a>>,
        key: Self::Key,
        version: i64,
    ) -> impl Future<Output = Result<bool>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            lifecycle::remove::<E>(exec, key, Some(version), Removal::Delete)
        })
    }

    #[track_caller]
    fn search<'a>(
        exec: impl Into<Exec<'a>>,
        search: &'a Self::Search,
    ) -> impl Future<Output = Result<Page<Self>>> + Send + 'a {
        Query::new().search(exec, search)
    }
}

impl<E: Model + OnEveryBackend> Query<E> {
    /// One page of the rows this query sees that match `search` too:
    /// [`Repo::search`] over [`with_deleted`](Query::with_deleted) rows,
    /// within an extra filter, or with eager loads
    /// ([`with`](Query::with); a [`join`](Query::join)ed relation loads
    /// the same way here) on the page's rows. Rows are sorted by the
    /// search's sort, then by the query's [`order_by`](Query::order_by),
    /// then by key; the search's page replaces any limit and offset.
    #[track_caller]
    pub fn search<'a>(
        self,
        exec: impl Into<Exec<'a>>,
        search: &'a E::Search,
    ) -> impl Future<Output = Result<Page<E>>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            async move {
                let context = context::<E>("search");
                let table = E::table();
                let page = E::search_page(search);
                let filter = E::search_filter(search);
                let terms = filter.node.terms();
                if terms > crate::dto::MAX_SEARCH_CONDITIONS {
                    return Err(Error::Query(crate::dto::QueryError::new(
                        crate::dto::QueryErrorKind::TooManyConditions,
                        "",
                        format!(
                            "the search holds {terms} conditions; at most {} are allowed",
                            crate::dto::MAX_SEARCH_CONDITIONS
                        ),
                    )));
                }
                let mut query = self
                    .filter(filter)
                    .limit(u64::from(page.page_size))
                    .offset(page.offset());
                let own_order = std::mem::take(&mut query.order);
                query.order = super::filters::sort_terms(E::search_sort(search))
                    .chain(own_order)
                    .collect();
                let mut loads = std::mem::take(&mut query.loads);
                // The page is fetched by itself; a joined relation is loaded
                // after it, as `with` would (a page of a join would count
                // joined rows).
                if let Some(join) = query.join.take() {
                    loads.insert(0, join);
                }
                // Page, count and loads on one connection.
                let mut held = None;
                let mut exec = match exec {
                    Exec::Db(db) if !loads.is_empty() => {
                        Exec::Conn(held.insert(db.acquire().await?))
                    }
                    other => other,
                };
                let (mut items, total) = with_conn!(exec.reborrow(), context, B, conn => {
                    let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
                    let fixed = E::sql().fixed(B::DIALECT, table);
                    let (sql, args) = query.statement::<B>(&fixed.select, Shape::Rows, context)?;
                    let mut items = Vec::new();
                    {
                        let mut rows = statement::fetch::<B>(&mut *conn, sql, args);
                        while let Some(row) = rows.try_next().await.map_err(classify)? {
                            items.push(<E as Persist<B>>::decode(&row).map_err(classify)?);
                        }
                    }
                    // A page that is not full and not past the end tells the
                    // total by itself: the count is only run when it cannot.
                    let seen = u64::try_from(items.len()).unwrap_or(u64::MAX);
                    let total = if seen < u64::from(page.page_size) && (seen > 0 || page.offset() == 0) {
                        page.offset() + seen
                    } else {
                        let (count_sql, count_args) = query.statement::<B>(&fixed.count, Shape::Filter, context)?;
                        let total: i64 = statement::fetch_scalar::<B, _>(&mut *conn, count_sql, count_args).await.map_err(classify)?;
                        u64::try_from(total).unwrap_or(0)
                    };
                    Ok::<_, Error>((items, total))
                })?;
                for load in &loads {
                    load.load(exec.reborrow(), items.iter_mut().collect())
                        .await?;
                }
                Ok(Page::new(items, total, page.page, page.page_size))
            }
        })
    }
}

/// `upsert` and `upsert_outcome`: validates `input`, then upserts it on the
/// audited path or the plain one. With `report`, the outcome is always
/// there; without, on PostgreSQL only (where it costs nothing).
async fn upsert_one<E: Model + OnEveryBackend + Hooks>(
    exec: Exec<'_>,
    input: E::Create,
    target: Vec<&'static str>,
    report: bool,
) -> Result<(E, Option<UpsertOutcome>)> {
    let context = context::<E>("upsert");
    input
        .validate()
        .map_err(|errors| Error::Validation { context, errors })?;
    if E::table().audited {
        let Upserted { row, outcome } = lifecycle::upsert::<E>(exec, &input, &target).await?;
        Ok((row, Some(outcome)))
    } else {
        upsert_row::<E>(exec, &input, &target, report).await
    }
}
