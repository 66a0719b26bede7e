//! [`Query`]: a filter, an order, a page, eager loads, and the statements
//! that run them.

use std::future::Future;
use std::marker::PhantomData;

use crate::driver::statement;
use futures_util::TryStreamExt;

use super::column::{Column, Order};
use super::expr::{ConditionBackend, Expr, Node};
use super::stream::RowStream;
use super::{FromRows, SqlValue};
use crate::driver::{Args, Backend};
use crate::entity::Entity;
use crate::error::{Context, Error, Result, bind_error};
use crate::exec::{Exec, with_conn};
use crate::relation::{Join, Load};
use crate::repo::filters::order_by;
use crate::repo::{Model, OnEveryBackend, Persist, WhereWriter, context};

/// A query over the rows of `E`: `User::query().filter(…).order_by(…)
/// .limit(…).all(&db)`. Conditions added with [`filter`](Query::filter)
/// all apply (AND); rows come back in the given order, then by primary key,
/// so pages are stable.
pub struct Query<E> {
    pub(crate) filter: Node,
    pub(crate) visibility: Visibility,
    pub(crate) order: Vec<(&'static str, bool)>,
    pub(crate) limit: Option<u64>,
    pub(crate) offset: u64,
    pub(crate) loads: Vec<Box<dyn Load<E>>>,
    /// The relation loaded in the query's own statement ([`Query::join`]).
    pub(crate) join: Option<Box<dyn Join<E>>>,
}

impl<E> std::fmt::Debug for Query<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query")
            .field("filter", &self.filter)
            .field("visibility", &self.visibility)
            .field("order", &self.order)
            .field("limit", &self.limit)
            .field("offset", &self.offset)
            .field("loads", &self.loads.len())
            .field("join", &self.join.is_some())
            .finish()
    }
}

impl<E: Model + OnEveryBackend> Default for Query<E> {
    fn default() -> Self {
        Query::new()
    }
}

impl<E: Model + OnEveryBackend> From<Expr<E>> for Query<E> {
    fn from(filter: Expr<E>) -> Self {
        Query::new().filter(filter)
    }
}

impl<E: Model + OnEveryBackend> Query<E> {
    /// Every row, in key order.
    pub fn new() -> Self {
        Query {
            filter: Node::Const(true),
            visibility: Visibility::Live,
            order: Vec::new(),
            limit: None,
            offset: 0,
            loads: Vec::new(),
            join: None,
        }
    }

    /// Keeps the rows matching `expr` too (AND with earlier filters).
    pub fn filter(mut self, expr: Expr<E>) -> Self {
        self.filter = Expr::<E>::new(self.filter).and(expr).node;
        self
    }

    /// Sees soft-deleted rows too (`#[entity(deleted_at)]`); by default
    /// a query sees only live rows. Relations loaded with
    /// [`with`](Self::with) still see only live rows.
    ///
    /// ```
    /// # use entable::prelude::*;
    /// #[derive(Entity, Debug, Clone)]
    /// struct Doc {
    ///     #[entity(primary_key, auto_increment)]
    ///     id: i64,
    ///     title: String,
    ///     #[entity(deleted_at)]
    ///     deleted_at: Option<DateTime<Utc>>,
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> entable::Result<()> {
    /// let db = Db::connect("sqlite::memory:").await?;
    /// Schema::of([Doc::table()])?.create_all(&db).await?;
    /// let doc = Doc::create(&db, DocCreate { title: "draft".into() }).await?;
    /// assert!(Doc::delete(&db, doc.id).await?); // sets deleted_at
    /// assert_eq!(Doc::count(&db, Expr::all()).await?, 0);
    /// assert_eq!(Doc::with_deleted().count(&db).await?, 1);
    /// assert_eq!(Doc::only_deleted().all(&db).await?[0].title, "draft");
    /// assert!(Doc::restore(&db, doc.id).await?);
    /// assert!(Doc::get(&db, doc.id).await?.is_some());
    /// assert!(Doc::force_delete(&db, doc.id).await?); // gone for real
    /// assert_eq!(Doc::with_deleted().count(&db).await?, 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_deleted(mut self) -> Self {
        self.visibility = Visibility::All;
        self
    }

    /// Sees only soft-deleted rows (`#[entity(deleted_at)]`, `deleted_flag`
    /// or `live_flag`).
    pub fn only_deleted(mut self) -> Self {
        self.visibility = Visibility::Deleted;
        self
    }

    /// The row with `key`, among the rows this query sees: with
    /// [`with_deleted`](Self::with_deleted), a soft-deleted row too.
    #[track_caller]
    pub fn get<'a>(
        self,
        exec: impl Into<Exec<'a>>,
        key: E::Key,
    ) -> impl Future<Output = Result<Option<E>>> + Send + 'a {
        crate::observe::site::located({
            self.filter(E::key_filter(std::slice::from_ref(&key)))
                .first(exec)
        })
    }

    /// Sorts by `order` after any earlier orders.
    pub fn order_by(mut self, order: Order<E>) -> Self {
        self.order.push((order.column, order.descending));
        self
    }

    /// Returns at most `n` rows.
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Skips the first `n` rows.
    pub fn offset(mut self, n: u64) -> Self {
        self.offset = n;
        self
    }

    /// Loads `relation` for every row returned, in one extra statement per
    /// relation level (see [`crate::relation`]).
    pub fn with(mut self, relation: impl Load<E> + 'static) -> Self {
        self.loads.push(Box::new(relation));
        self
    }

    /// Loads `relation` in the query's own statement: one `LEFT JOIN`
    /// whose rows are split back into each row and its relation, where
    /// [`with`](Self::with) sends a second statement. The rows, their
    /// order and what is loaded are the same either way; the join saves a
    /// round trip, at the price of sending each row's columns once per
    /// related row (`has_many`), so it pays for few children per row.
    ///
    /// `belongs_to` and `has_one` and `has_many` relations join; nested
    /// loads (`User::POSTS.with(Post::COMMENTS)`) run after the join, one
    /// statement per level. A query joins one relation: a second `join`
    /// loads as `with` does. A paged query (`limit`, `offset`, `first`,
    /// `get`) loads a `has_many` or `has_one` relation as `with` does too,
    /// since its page would count joined rows.
    ///
    /// ```
    /// # use entable::prelude::*;
    /// #[derive(Entity, Debug, Clone)]
    /// struct Author {
    ///     #[entity(primary_key, auto_increment)]
    ///     id: i64,
    ///     name: String,
    ///     #[entity(has_many)]
    ///     books: Vec<Book>,
    /// }
    ///
    /// #[derive(Entity, Debug, Clone)]
    /// struct Book {
    ///     #[entity(primary_key, auto_increment)]
    ///     id: i64,
    ///     #[entity(references = Author)]
    ///     author_id: i64,
    ///     title: String,
    ///     #[entity(belongs_to = author_id)]
    ///     author: Option<Author>,
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> entable::Result<()> {
    /// let db = Db::connect("sqlite::memory:").await?;
    /// Schema::of([Author::table(), Book::table()])?.create_all(&db).await?;
    /// let ann = Author::create(&db, AuthorCreate { name: "Ann".into() }).await?;
    /// Author::create(&db, AuthorCreate { name: "Bob".into() }).await?;
    /// for title in ["A", "B"] {
    ///     let book = BookCreate { author_id: ann.id, title: title.into() };
    ///     Book::create(&db, book).await?;
    /// }
    ///
    /// // One statement: authors LEFT JOIN books.
    /// let authors = Author::query().join(Author::BOOKS).all(&db).await?;
    /// assert_eq!(authors[0].books.len(), 2);
    /// assert!(authors[1].books.is_empty());
    ///
    /// let books = Book::query().join(Book::AUTHOR).all(&db).await?;
    /// assert_eq!(books[1].author.as_ref().map(|a| a.name.as_str()), Some("Ann"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn join(mut self, relation: impl Join<E> + 'static) -> Self {
        if self.join.is_none() {
            self.join = Some(Box::new(relation));
        } else {
            self.loads.push(Box::new(relation));
        }
        self
    }

    /// The matching rows (and their eager loads).
    #[track_caller]
    pub fn all<'a>(
        self,
        exec: impl Into<Exec<'a>>,
    ) -> impl Future<Output = Result<Vec<E>>> + Send + 'a {
        crate::observe::site::located({
            let exec = exec.into();
            async move {
                let context = context::<E>("find");
                let paged = self.limit.is_some() || self.offset > 0;
                let joined = self
                    .join
                    .as_deref()
                    .filter(|join| !paged || join.joins_paged());
                let more = !self.loads.is_empty()
                    || self
                        .join
                        .as_deref()
                        .is_some_and(|join| joined.is_none() || join.has_nested());
                // Eager loads add statements: run them all on one connection
                // rather than taking one from the pool for each.
                let mut held = None;
                let mut exec = match exec {
                    Exec::Db(db) if more => Exec::Conn(held.insert(db.acquire().await?)),
                    other => other,
                };
                let mut rows = match joined {
                    Some(join) => join.fetch_joined(&self, exec.reborrow()).await?,
                    None => self.fetch(exec.reborrow(), context).await?,
                };
                if let (Some(join), None) = (self.join.as_deref(), joined) {
                    join.load(exec.reborrow(), rows.iter_mut().collect())
                        .await?;
                }
                for load in &self.loads {
                    load.load(exec.reborrow(), rows.iter_mut().collect())
                        .await?;
                }
                Ok(rows)
            }
        })
    }

    pub(crate) async fn fetch(&self, exec: Exec<'_>, context: Context) -> Result<Vec<E>> {
        let table = E::table();
        with_conn!(exec, context, B, conn => {
            let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
            let (sql, args) = self.statement::<B>(&E::sql().fixed(B::DIALECT, table).select, Shape::Rows, context)?;
            // Decoded as they arrive, not collected first.
            let mut rows = statement::fetch::<B>(&mut *conn, sql, args);
            let mut out = Vec::new();
            while let Some(row) = rows.try_next().await.map_err(classify)? {
                out.push(<E as Persist<B>>::decode(&row).map_err(classify)?);
            }
            Ok(out)
        })
    }

    /// The first matching row, if any.
    #[track_caller]
    pub fn first<'a>(
        mut self,
        exec: impl Into<Exec<'a>>,
    ) -> impl Future<Output = Result<Option<E>>> + Send + 'a {
        crate::observe::site::located({
            #[allow(unused_mut)]
            let mut exec = exec.into();
            async move {
                self.limit = Some(1);
                Ok(self.all(exec).await?.into_iter().next())
            }
        })
    }

    /// How many rows match (limit and offset ignored).
    #[track_caller]
    pub fn count<'a>(
        self,
        exec: impl Into<Exec<'a>>,
    ) -> impl Future<Output = Result<u64>> + Send + 'a {
        crate::observe::site::located({
            #[allow(unused_mut)]
            let mut exec = exec.into();
            async move {
                let context = context::<E>("count");
                let table = E::table();
                with_conn!(exec, context, B, conn => {
                    let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
                    let (sql, args) = self.statement::<B>(&E::sql().fixed(B::DIALECT, table).count, Shape::Filter, context)?;
                    let total: i64 = statement::fetch_scalar::<B, _>(&mut *conn, sql, args).await.map_err(classify)?;
                    Ok(u64::try_from(total).unwrap_or(0))
                })
            }
        })
    }

    /// Whether any row matches; stops at the first.
    #[track_caller]
    pub fn exists<'a>(
        mut self,
        exec: impl Into<Exec<'a>>,
    ) -> impl Future<Output = Result<bool>> + Send + 'a {
        crate::observe::site::located({
            #[allow(unused_mut)]
            let mut exec = exec.into();
            async move {
                let context = context::<E>("exists");
                let table = E::table();
                self.limit = Some(1);
                with_conn!(exec, context, B, conn => {
                    let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
                    let (sql, args) = self.statement::<B>(&E::sql().fixed(B::DIALECT, table).exists, Shape::Probe, context)?;
                    let row = statement::fetch_optional::<B>(&mut *conn, sql, args).await.map_err(classify)?;
                    Ok(row.is_some())
                })
            }
        })
    }

    /// The matching rows as a stream, fetched as they are consumed rather
    /// than all at once. Eager loads do not apply to streams.
    pub fn stream<'a>(self, exec: impl Into<Exec<'a>>) -> RowStream<'a, E> {
        let exec = exec.into();
        RowStream::new(move |sender| async move {
            let context = context::<E>("stream");
            let table = E::table();
            with_conn!(exec, context, B, conn => {
                let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
                let (sql, args) = self.statement::<B>(&E::sql().fixed(B::DIALECT, table).select, Shape::Rows, context)?;
                let mut rows = statement::fetch::<B>(&mut *conn, sql, args);
                while let Some(row) = rows.try_next().await.map_err(classify)? {
                    let entity = <E as Persist<B>>::decode(&row).map_err(classify);
                    if sender.send(entity).await.is_err() {
                        // The stream was dropped: stop reading.
                        break;
                    }
                }
                Ok(())
            })
        })
    }

    /// Selects only `selection`'s columns: one column handle
    /// (`User::EMAIL`) or a tuple of them, decoded into the column types.
    pub fn select<S: Selection<E>>(self, selection: S) -> Select<E, S::Row, S::Output> {
        Select {
            query: self,
            columns: selection.columns(),
            map: S::output,
            lite: S::lite_decoder(),
            marker: PhantomData,
        }
    }

    /// Selects `selection`'s columns into a struct deriving `sqlx::FromRow`
    /// whose field names are those columns' names.
    pub fn select_as<P: FromRows, S: Selection<E>>(self, selection: S) -> Select<E, P, P> {
        Select {
            query: self,
            columns: selection.columns(),
            map: std::convert::identity,
            lite: None,
            marker: PhantomData,
        }
    }
}

impl<E: Entity> Query<E> {
    /// A query with `filter` (relations build these for join entities).
    pub(crate) fn from_node(filter: Node) -> Self {
        Query {
            filter,
            visibility: Visibility::Live,
            order: Vec::new(),
            limit: None,
            offset: 0,
            loads: Vec::new(),
            join: None,
        }
    }

    /// `base WHERE … [ORDER BY …] [LIMIT … OFFSET …]` and its arguments:
    /// with `shape` [`Shape::Rows`] the order (the key last, so pages are
    /// stable) and page, with [`Shape::Probe`] the page only.
    pub(crate) fn statement<B: ConditionBackend>(
        &self,
        base: &str,
        shape: Shape,
        context: Context,
    ) -> Result<(String, Args<B>)> {
        self.statement_after::<B>(base, shape, context, Args::<B>::default(), 0)
    }

    /// [`statement`](Self::statement) after `base` has bound `bound`
    /// values into `args` already (an `UPDATE`'s `SET`, say).
    pub(crate) fn statement_after<B: ConditionBackend>(
        &self,
        base: &str,
        shape: Shape,
        context: Context,
        mut args: Args<B>,
        bound: usize,
    ) -> Result<(String, Args<B>)> {
        let mut writer = WhereWriter::<B>::new(&mut args, bound);
        let mut sql = String::from(base);
        let filtered = !matches!(self.filter, Node::Const(true));
        let visibility = match (E::table().soft_delete, self.visibility) {
            (None, _) | (_, Visibility::All) => None,
            (Some(_), v) => Some(Node::Live {
                table: E::table(),
                live: v == Visibility::Live,
            }),
        };
        if filtered || visibility.is_some() {
            sql.push_str(" WHERE ");
        }
        if let Some(visibility) = &visibility {
            visibility.write(&mut writer);
            if filtered {
                writer.push(" AND (");
                self.filter.write(&mut writer);
                writer.push(")");
            }
        } else if filtered {
            self.filter.write(&mut writer);
        }
        let (conditions, bound) = writer.finish().map_err(|e| bind_error(context, e))?;
        let paged = shape != Shape::Filter && (self.limit.is_some() || self.offset > 0);
        let limit = B::DIALECT.bind_limit();
        if bound + if paged { 2 } else { 0 } > limit {
            // The server would refuse it with a protocol error; say why.
            return Err(Error::Usage {
                context,
                reason: format!(
                    "the filter binds {bound} values; {} takes at most {limit} in one statement (split long `in_` lists; get_many splits its keys itself)",
                    B::DIALECT
                ),
            });
        }
        sql.push_str(&conditions);
        if shape == Shape::Rows {
            order_by(B::DIALECT, E::table(), self.order.iter().copied(), &mut sql);
        }
        if paged {
            let limit = self.limit.map_or(i64::MAX, clamp);
            sql.push_str(" LIMIT ");
            B::DIALECT.placeholder(&mut sql, bound + 1);
            sql.push_str(" OFFSET ");
            B::DIALECT.placeholder(&mut sql, bound + 2);
            B::bind_i64(&mut args, limit).map_err(|e| bind_error(context, e))?;
            B::bind_i64(&mut args, clamp(self.offset)).map_err(|e| bind_error(context, e))?;
        }
        Ok((sql, args))
    }

    /// `base WHERE …` without order or page.
    pub(crate) fn unordered_statement<B: ConditionBackend>(
        &self,
        base: &str,
        context: Context,
    ) -> Result<(String, Args<B>)> {
        self.statement::<B>(base, Shape::Filter, context)
    }
}

/// Which rows of a soft-deleting table a query sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Visibility {
    /// Rows whose soft-delete marker says live (the default).
    Live,
    /// Every row.
    All,
    /// Soft-deleted rows only.
    Deleted,
}

/// Which clauses follow a statement's `WHERE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// None: counts and joins.
    Filter,
    /// `ORDER BY` and the page: rows.
    Rows,
    /// The page only: `exists` asks for one row in any order.
    Probe,
}

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Columns to select: a column handle or a tuple of up to eight.
pub trait Selection<E> {
    /// The row as decoded (a tuple).
    type Row: FromRows;
    /// What the caller gets.
    type Output: Send + 'static;
    /// The columns' names.
    fn columns(&self) -> Vec<&'static str>;
    /// The row → the output.
    fn output(row: Self::Row) -> Self::Output;
    /// How the rusqlite driver decodes the row (it has no sqlx `FromRow`).
    #[doc(hidden)]
    fn lite_decoder() -> LiteDecode<Self::Row>;
}

/// A row decoder for the rusqlite driver, where there is one: `select`'s
/// tuples of column values have it, `select_as` targets do not.
#[doc(hidden)]
#[cfg(feature = "rusqlite")]
pub type LiteDecode<R> =
    Option<fn(&crate::driver::lite::LiteRow) -> std::result::Result<R, crate::driver::DriverError>>;
/// A row decoder for the rusqlite driver (none: the feature is off).
#[doc(hidden)]
#[cfg(not(feature = "rusqlite"))]
pub type LiteDecode<R> = Option<fn() -> R>;

#[cfg(feature = "rusqlite")]
fn lite_decoder_of<R: crate::driver::FromColumns<crate::driver::Lite>>() -> LiteDecode<R> {
    Some(|row| R::from_columns(row))
}

#[cfg(not(feature = "rusqlite"))]
fn lite_decoder_of<R>() -> LiteDecode<R> {
    None
}

impl<E, F: SqlValue, T, K> Selection<E> for Column<E, F, T, K>
where
    (F,): FromRows,
{
    type Row = (F,);
    type Output = F;
    fn columns(&self) -> Vec<&'static str> {
        vec![self.name()]
    }
    fn output(row: (F,)) -> F {
        row.0
    }
    fn lite_decoder() -> LiteDecode<(F,)> {
        lite_decoder_of::<(F,)>()
    }
}

macro_rules! tuple_selection {
    ($($F:ident $T:ident $K:ident $i:tt),+) => {
        impl<E, $($F: SqlValue, $T, $K),+> Selection<E> for ($(Column<E, $F, $T, $K>,)+)
        where
            ($($F,)+): FromRows,
        {
            type Row = ($($F,)+);
            type Output = ($($F,)+);
            fn columns(&self) -> Vec<&'static str> {
                vec![$(self.$i.name()),+]
            }
            fn output(row: Self::Row) -> Self::Output {
                row
            }
            fn lite_decoder() -> LiteDecode<Self::Row> {
                lite_decoder_of::<Self::Row>()
            }
        }
    };
}
tuple_selection!(F0 T0 K0 0);
tuple_selection!(F0 T0 K0 0, F1 T1 K1 1);
tuple_selection!(F0 T0 K0 0, F1 T1 K1 1, F2 T2 K2 2);
tuple_selection!(F0 T0 K0 0, F1 T1 K1 1, F2 T2 K2 2, F3 T3 K3 3);
tuple_selection!(F0 T0 K0 0, F1 T1 K1 1, F2 T2 K2 2, F3 T3 K3 3, F4 T4 K4 4);
tuple_selection!(F0 T0 K0 0, F1 T1 K1 1, F2 T2 K2 2, F3 T3 K3 3, F4 T4 K4 4, F5 T5 K5 5);
tuple_selection!(F0 T0 K0 0, F1 T1 K1 1, F2 T2 K2 2, F3 T3 K3 3, F4 T4 K4 4, F5 T5 K5 5, F6 T6 K6 6);
tuple_selection!(F0 T0 K0 0, F1 T1 K1 1, F2 T2 K2 2, F3 T3 K3 3, F4 T4 K4 4, F5 T5 K5 5, F6 T6 K6 6, F7 T7 K7 7);

/// A query selecting some columns: from [`Query::select`] or
/// [`Query::select_as`].
pub struct Select<E, R, O> {
    query: Query<E>,
    columns: Vec<&'static str>,
    map: fn(R) -> O,
    lite: LiteDecode<R>,
    marker: PhantomData<fn() -> R>,
}

impl<E, R, O> std::fmt::Debug for Select<E, R, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Select")
            .field("query", &self.query)
            .field("columns", &self.columns)
            .finish()
    }
}

/// Rows decoded into a [`Query::select_as`] target: through sqlx's
/// `FromRow` on the sqlx drivers; refused on drivers whose rows have none.
pub(crate) trait SelectAs<R>: crate::driver::Backend {
    fn decode_rows(
        rows: &[Self::Row],
        lite: LiteDecode<R>,
        context: Context,
        classify: impl Fn(crate::driver::DriverError) -> Error,
    ) -> Result<Vec<R>>;
}

macro_rules! select_as_sqlx {
    ($feature:literal, $backend:ident) => {
        #[cfg(feature = $feature)]
        impl<R: FromRows> SelectAs<R> for crate::driver::$backend {
            fn decode_rows(
                rows: &[Self::Row],
                _lite: LiteDecode<R>,
                _context: Context,
                classify: impl Fn(crate::driver::DriverError) -> Error,
            ) -> Result<Vec<R>> {
                rows.iter()
                    .map(|row| {
                        <R as sqlx::FromRow<'_, Self::Row>>::from_row(row).map_err(&classify)
                    })
                    .collect()
            }
        }
    };
}
select_as_sqlx!("postgres", Pg);
select_as_sqlx!("mysql", MySql);
select_as_sqlx!("sqlx-sqlite", Sqlite);

#[cfg(feature = "rusqlite")]
impl<R> SelectAs<R> for crate::driver::Lite {
    fn decode_rows(
        rows: &[Self::Row],
        lite: LiteDecode<R>,
        context: Context,
        classify: impl Fn(crate::driver::DriverError) -> Error,
    ) -> Result<Vec<R>> {
        let Some(decode) = lite else {
            return Err(Error::Usage {
                context,
                reason: "`select_as` decodes through sqlx's `FromRow`, which the rusqlite driver's rows do not have: use `select` with column handles".into(),
            });
        };
        rows.iter()
            .map(|row| decode(row).map_err(&classify))
            .collect()
    }
}

impl<E: Model + OnEveryBackend, R: FromRows, O: Send + 'static> Select<E, R, O> {
    /// The selected columns of every matching row.
    #[track_caller]
    pub fn all<'a>(
        self,
        exec: impl Into<Exec<'a>>,
    ) -> impl Future<Output = Result<Vec<O>>> + Send + 'a {
        crate::observe::site::located({
            #[allow(unused_mut)]
            let mut exec = exec.into();
            async move {
                let context = context::<E>("select");
                let table = E::table();
                with_conn!(exec, context, B, conn => {
                    let classify = |e| Error::from_driver(e, context, table, B::DIALECT);
                    let mut base = String::from("SELECT ");
                    for (i, column) in self.columns.iter().enumerate() {
                        if i > 0 {
                            base.push_str(", ");
                        }
                        B::DIALECT.quote_ident(&mut base, column);
                    }
                    base.push_str(" FROM ");
                    base.push_str(&crate::schema::ddl::table_ident(B::DIALECT, table));
                    let (sql, args) = self.query.statement::<B>(&base, Shape::Rows, context)?;
                    let rows = statement::fetch_all::<B>(&mut *conn, sql, args).await.map_err(classify)?;
                    let rows = <B as SelectAs<R>>::decode_rows(&rows, self.lite, context, classify)?;
                    Ok(rows.into_iter().map(self.map).collect())
                })
            }
        })
    }

    /// The selected columns of the first matching row.
    #[track_caller]
    pub fn first<'a>(
        mut self,
        exec: impl Into<Exec<'a>>,
    ) -> impl Future<Output = Result<Option<O>>> + Send + 'a {
        crate::observe::site::located({
            #[allow(unused_mut)]
            let mut exec = exec.into();
            async move {
                self.query.limit = Some(1);
                Ok(self.all(exec).await?.into_iter().next())
            }
        })
    }
}
