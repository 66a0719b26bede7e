//! Join loading: a relation loaded in its query's own statement, one
//! `LEFT JOIN` whose rows are split back into the entities
//! ([`Query::join`]).
//!
//! The joined table is written through an alias, so a relation from a
//! table to itself (an employee's manager) is unambiguous; the query's
//! own filter and order name the root table, as they do without a join.
//! Relations see only live rows: the joined table's soft-delete condition
//! is part of the `ON` clause, so a parent whose children are all deleted
//! still comes back, with none.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use futures_util::TryStreamExt;

use super::{BelongsTo, Fk, HasMany, HasOne, Load, RelationKey, key_column};
use crate::backend::Dialect;
use crate::driver::{Backend as _, statement};
use crate::entity::SingleKey;
use crate::error::{Context, Error, Result};
use crate::exec::{Exec, with_conn};
use crate::meta::TableMeta;
use crate::query::Query;
use crate::query::builder::Shape;
use crate::repo::filters::qualified;
use crate::repo::{Model, OnEveryBackend, Persist, context};
use crate::schema::ddl::table_ident;

/// The rows of a query run with a relation joined.
pub type JoinFuture<'a, E> = Pin<Box<dyn Future<Output = Result<Vec<E>>> + Send + 'a>>;

/// A relation that can load in its query's own statement, by a `LEFT
/// JOIN` ([`Query::join`]): `belongs_to`, `has_one` and `has_many`.
pub trait Join<E>: Load<E> {
    /// Whether the relation can be joined to a query with a page (`LIMIT`
    /// or `OFFSET`): a relation to one row can; one to many cannot, since
    /// the page would count joined rows, not rows of `E`.
    #[doc(hidden)]
    fn joins_paged(&self) -> bool;

    /// Whether the relation has nested loads (statements after the join).
    #[doc(hidden)]
    fn has_nested(&self) -> bool;

    /// Runs `query` with the relation joined, then the nested loads.
    #[doc(hidden)]
    fn fetch_joined<'a>(&'a self, query: &'a Query<E>, exec: Exec<'a>) -> JoinFuture<'a, E>;
}

/// The alias of the joined table.
const ALIAS: &str = "__entable_j";

/// `alias.column`, quoted.
fn aliased(dialect: Dialect, column: &str) -> String {
    let mut out = String::new();
    dialect.quote_ident(&mut out, ALIAS);
    out.push('.');
    dialect.quote_ident(&mut out, column);
    out
}

/// What a cached join statement joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct JoinShape {
    dialect: Dialect,
    /// The query's table and the joined one (statics: their addresses
    /// name them).
    root: usize,
    joined: usize,
    /// `joined.on_joined = root.on_root`.
    on_joined: &'static str,
    on_root: &'static str,
}

/// `SELECT <root columns>, <joined columns> FROM <root> LEFT JOIN <joined>
/// AS alias ON alias.on_joined = root.on_root [AND alias is live]`, built
/// once per shape: the text of a join is fixed per relation and dialect.
fn join_base(shape: JoinShape, root: &TableMeta, joined: &TableMeta) -> Arc<str> {
    static CACHE: OnceLock<RwLock<HashMap<JoinShape, Arc<str>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(sql) = cache
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&shape)
    {
        return sql.clone();
    }
    let dialect = shape.dialect;
    let mut sql = String::from("SELECT ");
    for (i, column) in root.columns.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&qualified(dialect, root, column.name));
    }
    for column in joined.columns {
        sql.push_str(", ");
        sql.push_str(&aliased(dialect, column.name));
    }
    sql.push_str(" FROM ");
    sql.push_str(&table_ident(dialect, root));
    sql.push_str(" LEFT JOIN ");
    sql.push_str(&table_ident(dialect, joined));
    sql.push_str(" AS ");
    dialect.quote_ident(&mut sql, ALIAS);
    sql.push_str(" ON ");
    sql.push_str(&aliased(dialect, shape.on_joined));
    sql.push_str(" = ");
    sql.push_str(&qualified(dialect, root, shape.on_root));
    if let Some(soft) = joined.soft_delete {
        // Soft-deleted rows are no one's relations.
        sql.push_str(" AND ");
        sql.push_str(&aliased(dialect, soft.column));
        soft.kind.push_condition(dialect, &mut sql, true);
    }
    let sql: Arc<str> = sql.into();
    cache
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(shape, sql.clone());
    sql
}

/// The position of `column` in `table`'s column list.
fn position(table: &TableMeta, column: &str, context: Context) -> Result<usize> {
    table
        .columns
        .iter()
        .position(|c| c.name == column)
        .ok_or_else(|| Error::Usage {
            context,
            reason: format!("`{}` has no column `{column}` to join on", table.name),
        })
}

/// The rows of `query` over `P`, each with its `C` rows by `fk` (in `C`'s
/// key order): one statement, ordered by the query's order (the key last)
/// and then the children's keys, so a parent's rows are adjacent and it is
/// decoded once.
async fn with_children<P, C>(
    query: &Query<P>,
    exec: Exec<'_>,
    fk: Fk<C, P>,
) -> Result<Vec<(P, Vec<C>)>>
where
    P: Model<Key = <P as SingleKey>::Key> + SingleKey + OnEveryBackend,
    <P as SingleKey>::Key: RelationKey,
    C: Model + OnEveryBackend,
{
    let context = context::<P>("find");
    let (parent, child) = (P::table(), C::table());
    let key_at = position(parent, key_column(parent), context)?;
    let width = parent.columns.len();
    // A parent without children has one row whose child columns are NULL;
    // the foreign key is never NULL in a joined child.
    let present_at = width + position(child, fk.column, context)?;
    with_conn!(exec, context, B, conn => {
        let classify = |e| Error::from_driver(e, context, parent, B::DIALECT);
        let shape = JoinShape {
            dialect: B::DIALECT,
            root: std::ptr::from_ref(parent) as usize,
            joined: std::ptr::from_ref(child) as usize,
            on_joined: fk.column,
            on_root: key_column(parent),
        };
        let base = join_base(shape, parent, child);
        // Unpaged (`joins_paged` is false for to-many relations): the
        // statement ends with its `ORDER BY`, which the children's keys
        // extend.
        debug_assert!(query.limit.is_none() && query.offset == 0);
        let (mut sql, args) = query.statement::<B>(&base, Shape::Rows, context)?;
        for key in child.primary_key {
            sql.push_str(", ");
            sql.push_str(&aliased(B::DIALECT, key));
        }
        let mut rows = statement::fetch::<B>(&mut *conn, sql, args);
        let mut out: Vec<(P, Vec<C>)> = Vec::new();
        let mut last: Option<<P as SingleKey>::Key> = None;
        while let Some(row) = rows.try_next().await.map_err(classify)? {
            let key: <P as SingleKey>::Key = B::get(&row, key_at).map_err(classify)?;
            if last.as_ref() != Some(&key) {
                out.push((<P as Persist<B>>::decode(&row).map_err(classify)?, Vec::new()));
                last = Some(key);
            }
            if !B::is_null(&row, present_at).map_err(classify)? {
                let child = <C as Persist<B>>::decode_at(&row, width).map_err(classify)?;
                if let Some((_, children)) = out.last_mut() {
                    children.push(child);
                }
            }
        }
        Ok(out)
    })
}

/// The rows of `query` over `C`, each with the `P` its `fk` points at.
async fn with_parent<C, P>(
    query: &Query<C>,
    exec: Exec<'_>,
    fk: Fk<C, P>,
) -> Result<Vec<(C, Option<P>)>>
where
    C: Model + OnEveryBackend,
    P: Model + SingleKey + OnEveryBackend,
{
    let context = context::<C>("find");
    let (child, parent) = (C::table(), P::table());
    let width = child.columns.len();
    let present_at = width + position(parent, key_column(parent), context)?;
    with_conn!(exec, context, B, conn => {
        let classify = |e| Error::from_driver(e, context, child, B::DIALECT);
        let shape = JoinShape {
            dialect: B::DIALECT,
            root: std::ptr::from_ref(child) as usize,
            joined: std::ptr::from_ref(parent) as usize,
            on_joined: key_column(parent),
            on_root: fk.column,
        };
        let base = join_base(shape, child, parent);
        let (sql, args) = query.statement::<B>(&base, Shape::Rows, context)?;
        let mut rows = statement::fetch::<B>(&mut *conn, sql, args);
        let mut out = Vec::new();
        while let Some(row) = rows.try_next().await.map_err(classify)? {
            let entity = <C as Persist<B>>::decode(&row).map_err(classify)?;
            let parent = if B::is_null(&row, present_at).map_err(classify)? {
                None
            } else {
                Some(<P as Persist<B>>::decode_at(&row, width).map_err(classify)?)
            };
            out.push((entity, parent));
        }
        Ok(out)
    })
}

impl<P, C> Join<P> for HasMany<P, C>
where
    P: Model<Key = <P as SingleKey>::Key> + SingleKey + OnEveryBackend,
    <P as SingleKey>::Key: RelationKey,
    C: Model + OnEveryBackend + Clone,
{
    fn joins_paged(&self) -> bool {
        false
    }

    fn has_nested(&self) -> bool {
        !self.nested.is_empty()
    }

    fn fetch_joined<'a>(&'a self, query: &'a Query<P>, mut exec: Exec<'a>) -> JoinFuture<'a, P> {
        Box::pin(async move {
            let pairs = with_children(query, exec.reborrow(), self.fk).await?;
            let mut rows = Vec::with_capacity(pairs.len());
            for (mut parent, children) in pairs {
                *(self.field)(&mut parent) = children;
                rows.push(parent);
            }
            for load in &self.nested {
                let children = rows
                    .iter_mut()
                    .flat_map(|p| (self.field)(p).iter_mut())
                    .collect();
                load.load(exec.reborrow(), children).await?;
            }
            Ok(rows)
        })
    }
}

impl<P, C> Join<P> for HasOne<P, C>
where
    P: Model<Key = <P as SingleKey>::Key> + SingleKey + OnEveryBackend,
    <P as SingleKey>::Key: RelationKey,
    C: Model + OnEveryBackend + Clone,
{
    fn joins_paged(&self) -> bool {
        // Nothing stops two rows pointing at one parent, and each would be
        // a row of the page.
        false
    }

    fn has_nested(&self) -> bool {
        !self.nested.is_empty()
    }

    fn fetch_joined<'a>(&'a self, query: &'a Query<P>, mut exec: Exec<'a>) -> JoinFuture<'a, P> {
        Box::pin(async move {
            let pairs = with_children(query, exec.reborrow(), self.fk).await?;
            let mut rows = Vec::with_capacity(pairs.len());
            for (mut parent, children) in pairs {
                // The first in key order, as the separate load keeps.
                *(self.field)(&mut parent) = children.into_iter().next();
                rows.push(parent);
            }
            for load in &self.nested {
                let children = rows
                    .iter_mut()
                    .filter_map(|p| (self.field)(p).as_mut())
                    .collect();
                load.load(exec.reborrow(), children).await?;
            }
            Ok(rows)
        })
    }
}

impl<C, P> Join<C> for BelongsTo<C, P>
where
    C: Model + OnEveryBackend,
    P: Model<Key = <P as SingleKey>::Key> + SingleKey + OnEveryBackend + Clone,
    <P as SingleKey>::Key: RelationKey,
{
    fn joins_paged(&self) -> bool {
        true
    }

    fn has_nested(&self) -> bool {
        !self.nested.is_empty()
    }

    fn fetch_joined<'a>(&'a self, query: &'a Query<C>, mut exec: Exec<'a>) -> JoinFuture<'a, C> {
        Box::pin(async move {
            let pairs = with_parent(query, exec.reborrow(), self.fk).await?;
            let mut rows = Vec::with_capacity(pairs.len());
            for (mut child, parent) in pairs {
                *(self.field)(&mut child) = parent;
                rows.push(child);
            }
            for load in &self.nested {
                let parents = rows
                    .iter_mut()
                    .filter_map(|c| (self.field)(c).as_mut())
                    .collect();
                load.load(exec.reborrow(), parents).await?;
            }
            Ok(rows)
        })
    }
}
