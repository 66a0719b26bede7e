//! Relations between entities and their eager loading.
//!
//! Declared on fields that are not columns:
//! - `#[entity(belongs_to = user_id)] user: Option<User>` — the row a
//!   foreign key of this entity points at (the target must be `Clone`:
//!   many rows may share it);
//! - `#[entity(has_many)] posts: Vec<Post>` — the rows whose foreign key
//!   points here (`has_many(via = author_id)` names the key when the child
//!   has several pointing here);
//! - `#[entity(has_one)] profile: Option<Profile>` — the same, at most one;
//! - `#[entity(many_to_many(through = PostTag))] tags: Vec<Tag>` — rows
//!   linked through a join entity with a foreign key to each side.
//!
//! Each gives a constant (`User::POSTS`) to load with
//! ([`Query::with`](crate::query::Query::with), [`Load::load_into`]) and to
//! filter by (`User::POSTS.any(Post::TITLE.eq("x"))`, an `EXISTS`).
//! Loading costs one statement per relation and level, whatever the number
//! of rows: `users → posts → comments` is three statements (a level with
//! more distinct keys than the backend's bind-parameter limit — 65,535 on
//! PostgreSQL and MySQL, 32,766 on SQLite — is split into one statement per
//! that many keys). [`Query::join`] loads a `belongs_to`, `has_one` or
//! `has_many` relation in the query's own statement instead (a `LEFT
//! JOIN`, see [`Join`]).

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::marker::PhantomData;
use std::pin::Pin;

mod join;

pub use join::{Join, JoinFuture};

use crate::driver::statement;

use crate::driver::Backend as _;
use crate::dto::Condition;
use crate::entity::{Entity, SingleKey};
use crate::error::{Error, Result};
use crate::exec::{Exec, with_conn};
use crate::query::expr::Node;
use crate::query::{Expr, Query, SqlValue};
use crate::repo::{Model, OnEveryBackend, Persist, context};

/// A boxed future of a relation load.
pub type LoadFuture<'a> = Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>;

/// Something that can be loaded for a list of `P` rows in a fixed number of
/// statements: a relation constant, or one with nested loads
/// (`User::POSTS.with(Post::COMMENTS)`).
pub trait Load<P>: Send + Sync {
    /// Fills the relation field of every row in `parents`.
    fn load<'a>(&'a self, exec: Exec<'a>, parents: Vec<&'a mut P>) -> LoadFuture<'a>;

    /// Fills the relation for `parents`, on `&db` or `&mut tx`.
    fn load_into<'a>(&'a self, exec: impl Into<Exec<'a>>, parents: &'a mut [P]) -> LoadFuture<'a>
    where
        Self: Sized,
    {
        self.load(exec.into(), parents.iter_mut().collect())
    }
}

/// A foreign key column of `C` pointing at `P`, holding keys of type `K`:
/// its name and how to read it from a row. Typed by the parent, not only by
/// the key type, so a relation cannot follow a key to another table whose
/// key has the same type. (`K` is a parameter rather than `P`'s key type so
/// that a key of the wrong type, or to an entity without a single key, is
/// reported once, at the field, instead of again here.)
pub struct ForeignKey<C, P, K> {
    column: &'static str,
    get: fn(&C) -> Option<K>,
    parent: PhantomData<fn() -> P>,
}

impl<C, P, K> Clone for ForeignKey<C, P, K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<C, P, K> Copy for ForeignKey<C, P, K> {}

impl<C, P, K> ForeignKey<C, P, K> {
    /// Generated for every `references` field.
    #[doc(hidden)]
    pub const fn new(column: &'static str, get: fn(&C) -> Option<K>) -> Self {
        ForeignKey {
            column,
            get,
            parent: PhantomData,
        }
    }
}

/// What a column of `C` that is not a foreign key offers a relation: nothing.
/// `has_many(via = name)` on a plain column fails to compile as "expected
/// `ForeignKey<C, P, K>`, found `NotAForeignKey<C>`".
pub struct NotAForeignKey<C>(PhantomData<fn(&C)>);

impl<C> NotAForeignKey<C> {
    /// Generated for every column without `references`.
    #[doc(hidden)]
    pub const fn new() -> Self {
        NotAForeignKey(PhantomData)
    }
}

/// The foreign key type a relation from `C` to `P` uses.
type Fk<C, P> = ForeignKey<C, P, <P as SingleKey>::Key>;

/// `Self` has exactly one foreign key to `P`. Generated for each
/// `references` target that one field of the entity points at.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no single foreign key to `{P}`",
    label = "no unique `references = {P}` field in `{Self}`",
    note = "when `{Self}` refers to `{P}` through several fields, name one: #[entity(has_many(via = field))]"
)]
pub trait References<P>: Sized {
    /// The type of the key column.
    type Key;
    /// That foreign key.
    const FOREIGN_KEY: ForeignKey<Self, P, Self::Key>;
}

/// The key column of a single-key entity.
fn key_column(table: &crate::meta::TableMeta) -> &'static str {
    table.primary_key.first().copied().unwrap_or("")
}

/// Drops repeated keys, keeping the first of each.
fn dedup<K: Clone + Eq + Hash>(keys: &mut Vec<K>) {
    let mut seen = std::collections::HashSet::new();
    keys.retain(|k| seen.insert(k.clone()));
}

/// `IN (keys)` on `column` of `E`.
fn key_filter<E: Entity, K: SqlValue>(column: &'static str, keys: Vec<K>) -> Expr<E> {
    Expr::from_node(Node::condition(E::table(), column, Condition::In(keys)))
}

/// Rows of `C` whose `fk` points at a `P`: `User::POSTS`.
pub struct HasMany<P: SingleKey, C> {
    fk: Fk<C, P>,
    field: fn(&mut P) -> &mut Vec<C>,
    nested: Vec<Box<dyn Load<C>>>,
}

/// At most one row of `C` whose `fk` points at a `P`: `User::PROFILE`.
pub struct HasOne<P: SingleKey, C> {
    fk: Fk<C, P>,
    field: fn(&mut P) -> &mut Option<C>,
    nested: Vec<Box<dyn Load<C>>>,
}

/// The `P` a foreign key of `C` points at: `Post::AUTHOR`.
pub struct BelongsTo<C, P: SingleKey> {
    fk: Fk<C, P>,
    field: fn(&mut C) -> &mut Option<P>,
    nested: Vec<Box<dyn Load<P>>>,
}

/// Rows of `C` linked to a `P` through join rows `J`: `Post::TAGS`.
pub struct ManyToMany<P: SingleKey, C: SingleKey, J> {
    to_parent: Fk<J, P>,
    to_child: Fk<J, C>,
    field: fn(&mut P) -> &mut Vec<C>,
    nested: Vec<Box<dyn Load<C>>>,
}

macro_rules! common {
    ($ty:ident<$($g:ident),+>, $child:ident) => {
        impl<$($g),+> std::fmt::Debug for $ty<$($g),+>
        where
            P: SingleKey,
        {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty)).field("nested", &self.nested.len()).finish()
            }
        }

        impl<$($g),+> $ty<$($g),+>
        where
            P: SingleKey,
        {
            /// Also loads `relation` for every loaded row (one more
            /// statement per nested relation, not per row).
            pub fn with(mut self, relation: impl Load<$child> + 'static) -> Self {
                self.nested.push(Box::new(relation));
                self
            }
        }
    };
}
common!(HasMany<P, C>, C);
common!(HasOne<P, C>, C);
common!(BelongsTo<C, P>, P);

impl<P: SingleKey, C: SingleKey, J> std::fmt::Debug for ManyToMany<P, C, J> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManyToMany")
            .field("nested", &self.nested.len())
            .finish()
    }
}

impl<P: SingleKey, C: SingleKey, J> ManyToMany<P, C, J> {
    /// Generated for `many_to_many` fields.
    #[doc(hidden)]
    pub const fn new(
        to_parent: Fk<J, P>,
        to_child: Fk<J, C>,
        field: fn(&mut P) -> &mut Vec<C>,
    ) -> Self {
        ManyToMany {
            to_parent,
            to_child,
            field,
            nested: Vec::new(),
        }
    }

    /// Also loads `relation` for every loaded row.
    pub fn with(mut self, relation: impl Load<C> + 'static) -> Self {
        self.nested.push(Box::new(relation));
        self
    }
}

impl<P: SingleKey, C> HasMany<P, C> {
    /// Generated for `has_many` fields.
    #[doc(hidden)]
    pub const fn new(fk: Fk<C, P>, field: fn(&mut P) -> &mut Vec<C>) -> Self {
        HasMany {
            fk,
            field,
            nested: Vec::new(),
        }
    }
}

impl<P: SingleKey, C> HasOne<P, C> {
    /// Generated for `has_one` fields.
    #[doc(hidden)]
    pub const fn new(fk: Fk<C, P>, field: fn(&mut P) -> &mut Option<C>) -> Self {
        HasOne {
            fk,
            field,
            nested: Vec::new(),
        }
    }
}

impl<C, P: SingleKey> BelongsTo<C, P> {
    /// Generated for `belongs_to` fields.
    #[doc(hidden)]
    pub const fn new(fk: Fk<C, P>, field: fn(&mut C) -> &mut Option<P>) -> Self {
        BelongsTo {
            fk,
            field,
            nested: Vec::new(),
        }
    }
}

/// A key type relations can match rows by.
pub trait RelationKey: SqlValue + Eq + Hash {}
impl<K: SqlValue + Eq + Hash> RelationKey for K {}

/// The rows of `E` whose `column` is one of `keys` (deduplicated): one
/// statement, or one per chunk when the keys exceed the backend's
/// bind-parameter limit.
async fn rows_by_keys<E, K>(
    exec: &mut Exec<'_>,
    column: &'static str,
    mut keys: Vec<K>,
) -> Result<Vec<E>>
where
    E: Model + OnEveryBackend,
    K: RelationKey,
{
    dedup(&mut keys);
    let mut rows = Vec::new();
    for chunk in keys.chunks(exec.dialect().bind_limit().max(1)) {
        let filter = key_filter(column, chunk.to_vec());
        rows.extend(
            Query::<E>::new()
                .filter(filter)
                .fetch(exec.reborrow(), context::<E>("load"))
                .await?,
        );
    }
    Ok(rows)
}

/// Loads the children of `parents` by `fk` and hands each parent its rows
/// (empty when it has none): what `has_many` and `has_one` share.
async fn fill_children<P, C>(
    exec: &mut Exec<'_>,
    fk: Fk<C, P>,
    parents: &mut [&mut P],
    nested: &[Box<dyn Load<C>>],
    put: impl FnMut(&mut P, Vec<C>),
) -> Result<()>
where
    P: Model<Key = <P as SingleKey>::Key> + SingleKey,
    <P as SingleKey>::Key: RelationKey,
    C: Model + OnEveryBackend + Clone,
{
    if parents.is_empty() {
        return Ok(());
    }
    let by_key = children(exec, fk, parents, nested).await?;
    distribute(by_key, parents, put);
    Ok(())
}

/// Hands each parent the rows under its key. A key held by several parents
/// (the same row loaded twice, or a many-to-many child reached from two
/// parents) gives each a copy; the last one takes the rows themselves.
fn distribute<P, C>(
    mut by_key: HashMap<<P as SingleKey>::Key, Vec<C>>,
    parents: &mut [&mut P],
    mut put: impl FnMut(&mut P, Vec<C>),
) where
    P: Model<Key = <P as SingleKey>::Key> + SingleKey,
    <P as SingleKey>::Key: RelationKey,
    C: Clone,
{
    let mut holders: HashMap<<P as SingleKey>::Key, usize> = HashMap::new();
    for parent in parents.iter() {
        *holders.entry(parent.key()).or_default() += 1;
    }
    for parent in parents.iter_mut() {
        let key = parent.key();
        let left = holders.get_mut(&key).map_or(0, |n| {
            *n -= 1;
            *n
        });
        let rows = if left > 0 {
            by_key.get(&key).cloned()
        } else {
            by_key.remove(&key)
        };
        put(parent, rows.unwrap_or_default());
    }
}

/// The children of `parents` by `fk`, with their nested loads done.
async fn children<P, C>(
    exec: &mut Exec<'_>,
    fk: Fk<C, P>,
    parents: &[&mut P],
    nested: &[Box<dyn Load<C>>],
) -> Result<HashMap<<P as SingleKey>::Key, Vec<C>>>
where
    P: Model<Key = <P as SingleKey>::Key> + SingleKey,
    <P as SingleKey>::Key: RelationKey,
    C: Model + OnEveryBackend,
{
    let keys: Vec<<P as SingleKey>::Key> = parents.iter().map(|p| p.key()).collect();
    let mut rows = rows_by_keys::<C, _>(exec, fk.column, keys).await?;
    for load in nested {
        load.load(exec.reborrow(), rows.iter_mut().collect())
            .await?;
    }
    let mut by_key: HashMap<<P as SingleKey>::Key, Vec<C>> = HashMap::new();
    for row in rows {
        if let Some(key) = (fk.get)(&row) {
            by_key.entry(key).or_default().push(row);
        }
    }
    Ok(by_key)
}

impl<P, C> Load<P> for HasMany<P, C>
where
    P: Model<Key = <P as SingleKey>::Key> + SingleKey,
    <P as SingleKey>::Key: RelationKey,
    C: Model + OnEveryBackend + Clone,
{
    fn load<'a>(&'a self, mut exec: Exec<'a>, mut parents: Vec<&'a mut P>) -> LoadFuture<'a> {
        Box::pin(async move {
            fill_children(
                &mut exec,
                self.fk,
                &mut parents,
                &self.nested,
                |parent, rows| {
                    *(self.field)(parent) = rows;
                },
            )
            .await
        })
    }
}

impl<P, C> Load<P> for HasOne<P, C>
where
    P: Model<Key = <P as SingleKey>::Key> + SingleKey,
    <P as SingleKey>::Key: RelationKey,
    C: Model + OnEveryBackend + Clone,
{
    fn load<'a>(&'a self, mut exec: Exec<'a>, mut parents: Vec<&'a mut P>) -> LoadFuture<'a> {
        Box::pin(async move {
            fill_children(
                &mut exec,
                self.fk,
                &mut parents,
                &self.nested,
                |parent, rows| {
                    *(self.field)(parent) = rows.into_iter().next();
                },
            )
            .await
        })
    }
}

impl<C, P> Load<C> for BelongsTo<C, P>
where
    C: Send + Sync,
    P: Model<Key = <P as SingleKey>::Key> + SingleKey + OnEveryBackend + Clone,
    <P as SingleKey>::Key: RelationKey,
{
    fn load<'a>(&'a self, mut exec: Exec<'a>, mut children: Vec<&'a mut C>) -> LoadFuture<'a> {
        Box::pin(async move {
            let keys: Vec<<P as SingleKey>::Key> =
                children.iter().filter_map(|c| (self.fk.get)(c)).collect();
            if keys.is_empty() {
                for child in &mut children {
                    *(self.field)(child) = None;
                }
                return Ok(());
            }
            let column = key_column(P::table());
            let mut rows = rows_by_keys::<P, _>(&mut exec, column, keys).await?;
            for load in &self.nested {
                load.load(exec.reborrow(), rows.iter_mut().collect())
                    .await?;
            }
            let by_key: HashMap<<P as SingleKey>::Key, P> =
                rows.into_iter().map(|p| (p.key(), p)).collect();
            for child in &mut children {
                let parent = (self.fk.get)(child).and_then(|key| by_key.get(&key).cloned());
                *(self.field)(child) = parent;
            }
            Ok(())
        })
    }
}

impl<P, C, J> Load<P> for ManyToMany<P, C, J>
where
    P: Model<Key = <P as SingleKey>::Key> + SingleKey,
    <P as SingleKey>::Key: RelationKey,
    C: Model<Key = <C as SingleKey>::Key> + SingleKey + OnEveryBackend + Clone,
    <C as SingleKey>::Key: RelationKey,
    J: Entity + Send + Sync,
{
    fn load<'a>(&'a self, mut exec: Exec<'a>, mut parents: Vec<&'a mut P>) -> LoadFuture<'a> {
        Box::pin(async move {
            if parents.is_empty() {
                return Ok(());
            }
            let mut keys: Vec<<P as SingleKey>::Key> = parents.iter().map(|p| p.key()).collect();
            dedup(&mut keys);
            let mut pairs = Vec::new();
            for chunk in keys.chunks(exec.dialect().bind_limit().max(1)) {
                let (to_parent, to_child) = (self.to_parent.column, self.to_child.column);
                pairs.extend(
                    linked::<P, C, J>(exec.reborrow(), to_parent, to_child, chunk.to_vec()).await?,
                );
            }
            // A child linked to several parents comes once per link; nested
            // loads run on one copy of each, then the copies are handed out.
            let mut index: HashMap<<C as SingleKey>::Key, usize> = HashMap::new();
            let mut rows: Vec<C> = Vec::new();
            let mut links: Vec<(<P as SingleKey>::Key, usize)> = Vec::with_capacity(pairs.len());
            for (owner, row) in pairs {
                let at = *index.entry(row.key()).or_insert_with(|| {
                    rows.push(row);
                    rows.len() - 1
                });
                links.push((owner, at));
            }
            for load in &self.nested {
                load.load(exec.reborrow(), rows.iter_mut().collect())
                    .await?;
            }
            let mut by_key: HashMap<<P as SingleKey>::Key, Vec<C>> = HashMap::new();
            for (owner, at) in links {
                if let Some(row) = rows.get(at) {
                    by_key.entry(owner).or_default().push(row.clone());
                }
            }
            distribute(by_key, &mut parents, |parent, rows| {
                *(self.field)(parent) = rows;
            });
            Ok(())
        })
    }
}

/// `SELECT c.*, j.to_parent FROM c JOIN j ON j.to_child = c.key WHERE
/// j.to_parent IN (keys)`: each linked child with the parent it belongs to.
async fn linked<P, C, J>(
    exec: Exec<'_>,
    to_parent: &'static str,
    to_child: &'static str,
    keys: Vec<<P as SingleKey>::Key>,
) -> Result<Vec<(<P as SingleKey>::Key, C)>>
where
    P: Model<Key = <P as SingleKey>::Key> + SingleKey,
    <P as SingleKey>::Key: RelationKey,
    C: Model + SingleKey + OnEveryBackend,
    J: Entity,
{
    let context = context::<C>("load");
    let (child, join) = (C::table(), J::table());
    // The join rows' own soft delete is applied by the query over `J`; the
    // children's is added here.
    let query = Query::<J>::from_node(
        key_filter::<J, <P as SingleKey>::Key>(to_parent, keys)
            .and(Expr::from_node(Node::Live {
                table: child,
                live: true,
            }))
            .node,
    );
    with_conn!(exec, context, B, conn => {
        let classify = |e| Error::from_driver(e, context, child, B::DIALECT);
        let dialect = B::DIALECT;
        let mut base = String::from("SELECT ");
        let columns = child.columns.len();
        for (i, column) in child.columns.iter().enumerate() {
            if i > 0 {
                base.push_str(", ");
            }
            base.push_str(&crate::repo::filters::qualified(dialect, child, column.name));
        }
        base.push_str(", ");
        base.push_str(&crate::repo::filters::qualified(dialect, join, to_parent));
        base.push_str(" FROM ");
        base.push_str(&crate::schema::ddl::table_ident(dialect, child));
        base.push_str(" JOIN ");
        base.push_str(&crate::schema::ddl::table_ident(dialect, join));
        base.push_str(" ON ");
        base.push_str(&crate::repo::filters::qualified(dialect, join, to_child));
        base.push_str(" = ");
        base.push_str(&crate::repo::filters::qualified(dialect, child, key_column(child)));
        let (sql, args) = query.unordered_statement::<B>(&base, context)?;
        let rows = statement::fetch_all::<B>(&mut *conn, sql, args).await.map_err(classify)?;
        rows.iter()
            .map(|row| {
                let owner: <P as SingleKey>::Key = B::get(row, columns).map_err(classify)?;
                Ok((owner, <C as Persist<B>>::decode(row).map_err(classify)?))
            })
            .collect()
    })
}

/// `EXISTS` filters over relations.
impl<P: Entity + SingleKey, C: Entity> HasMany<P, C> {
    /// Parents with at least one child matching `filter`.
    pub fn any(&self, filter: Expr<C>) -> Expr<P> {
        Expr::from_node(exists::<C, P>(
            self.fk.column,
            key_column(P::table()),
            filter.node,
        ))
    }
}

impl<P: Entity + SingleKey, C: Entity> HasOne<P, C> {
    /// Parents whose child matches `filter`.
    pub fn any(&self, filter: Expr<C>) -> Expr<P> {
        Expr::from_node(exists::<C, P>(
            self.fk.column,
            key_column(P::table()),
            filter.node,
        ))
    }
}

impl<C: Entity, P: Entity + SingleKey> BelongsTo<C, P> {
    /// Rows whose parent matches `filter`.
    pub fn is(&self, filter: Expr<P>) -> Expr<C> {
        Expr::from_node(exists::<P, C>(
            key_column(P::table()),
            self.fk.column,
            filter.node,
        ))
    }
}

impl<P: Entity + SingleKey, C: Entity + SingleKey, J: Entity> ManyToMany<P, C, J> {
    /// Parents linked to at least one `C` matching `filter`.
    pub fn any(&self, filter: Expr<C>) -> Expr<P> {
        let linked = exists::<C, J>(key_column(C::table()), self.to_child.column, filter.node);
        Expr::from_node(exists::<J, P>(
            self.to_parent.column,
            key_column(P::table()),
            linked,
        ))
    }
}

/// `EXISTS (SELECT 1 FROM inner WHERE inner.inner_column = outer.outer_column AND filter)`.
fn exists<I: Entity, O: Entity>(
    inner_column: &'static str,
    outer_column: &'static str,
    filter: Node,
) -> Node {
    Node::Exists {
        child: I::table(),
        child_column: inner_column,
        parent: O::table(),
        parent_column: outer_column,
        filter: Box::new(filter),
    }
}
