//! Boolean expressions over an entity's columns, type-checked when built and
//! kept type-erased (values behind [`DynCondition`]) so one expression runs
//! on whichever backend the handle is.

use std::marker::PhantomData;
use std::sync::Arc;

use super::SqlValue;
use crate::driver::Backend;
use crate::dto::Condition;
use crate::meta::TableMeta;
use crate::repo::WhereWriter;

/// A condition on rows of entity `E`: built from column handles
/// (`User::EMAIL.eq(…)`), combined with [`and`](Expr::and),
/// [`or`](Expr::or), [`not`](Expr::not) (or `&`, `|`, `!`).
pub struct Expr<E> {
    pub(crate) node: Node,
    marker: PhantomData<fn() -> E>,
}

impl<E> Clone for Expr<E> {
    fn clone(&self) -> Self {
        Expr::new(self.node.clone())
    }
}

impl<E> std::fmt::Debug for Expr<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.node.fmt(f)
    }
}

impl<E> Default for Expr<E> {
    fn default() -> Self {
        Expr::all()
    }
}

impl<E> Expr<E> {
    pub(crate) fn new(node: Node) -> Self {
        Expr {
            node,
            marker: PhantomData,
        }
    }

    /// Matches every row.
    pub fn all() -> Self {
        Expr::new(Node::Const(true))
    }

    /// Matches no row.
    pub fn none() -> Self {
        Expr::new(Node::Const(false))
    }

    /// Both hold.
    #[allow(clippy::should_implement_trait)]
    pub fn and(self, other: Expr<E>) -> Self {
        Expr::new(Node::join(self.node, other.node, true))
    }

    /// Either holds.
    pub fn or(self, other: Expr<E>) -> Self {
        Expr::new(Node::join(self.node, other.node, false))
    }

    /// Does not hold. Like SQL, a comparison with NULL neither holds nor
    /// fails, so `not(x.eq(1))` does not match rows where `x` is NULL.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Self {
        Expr::new(Node::Not(Box::new(self.node)))
    }

    /// Every expression holds (`all()` when there are none).
    pub fn all_of(exprs: impl IntoIterator<Item = Expr<E>>) -> Self {
        Expr::new(Node::And(exprs.into_iter().map(|e| e.node).collect()))
    }

    /// At least one expression holds (`none()` when there are none).
    pub fn any_of(exprs: impl IntoIterator<Item = Expr<E>>) -> Self {
        Expr::new(Node::Or(exprs.into_iter().map(|e| e.node).collect()))
    }

    /// Wraps a condition on another table's rows (relation filters build
    /// these).
    pub(crate) fn from_node(node: Node) -> Self {
        Expr::new(node)
    }
}

impl<E> std::ops::BitAnd for Expr<E> {
    type Output = Expr<E>;
    fn bitand(self, other: Expr<E>) -> Expr<E> {
        self.and(other)
    }
}

impl<E> std::ops::BitOr for Expr<E> {
    type Output = Expr<E>;
    fn bitor(self, other: Expr<E>) -> Expr<E> {
        self.or(other)
    }
}

impl<E> std::ops::Not for Expr<E> {
    type Output = Expr<E>;
    fn not(self) -> Expr<E> {
        Expr::not(self)
    }
}

/// One condition with its value, written for whichever backend runs it.
/// Implemented for [`Condition<T>`] of every [`SqlValue`].
#[doc(hidden)]
pub trait DynCondition: std::fmt::Debug + Send + Sync {
    /// The condition as `Any`, to find its value type.
    fn as_any(&self) -> &dyn std::any::Any;
    /// How many terms it counts for against
    /// [`MAX_SEARCH_CONDITIONS`](crate::dto::MAX_SEARCH_CONDITIONS): one,
    /// or one per value of an `in`/`not_in` list.
    fn terms(&self) -> usize;
    /// When this is an `Eq` and so is every one of `others` (of the same
    /// value type): one `In` of all their values.
    fn fold_eq(&self, others: &[&dyn DynCondition]) -> Option<Arc<dyn DynCondition>>;
    /// Writes the condition on `column` of `table` for PostgreSQL.
    #[cfg(feature = "postgres")]
    fn write_postgres(
        &self,
        table: &'static TableMeta,
        column: &'static str,
        w: &mut WhereWriter<'_, crate::driver::Pg>,
    );
    /// … for MySQL.
    #[cfg(feature = "mysql")]
    fn write_mysql(
        &self,
        table: &'static TableMeta,
        column: &'static str,
        w: &mut WhereWriter<'_, crate::driver::MySql>,
    );
    /// … for SQLite.
    #[cfg(feature = "sqlx-sqlite")]
    fn write_sqlite(
        &self,
        table: &'static TableMeta,
        column: &'static str,
        w: &mut WhereWriter<'_, crate::driver::Sqlite>,
    );
    /// … for SQLite on the rusqlite driver.
    #[cfg(feature = "rusqlite")]
    fn write_lite(
        &self,
        table: &'static TableMeta,
        column: &'static str,
        w: &mut WhereWriter<'_, crate::driver::Lite>,
    );
}

/// A backend type-erased conditions can be written for: the dispatch
/// from `B` to the method of [`DynCondition`] for it (a trait object
/// cannot have a method generic over the backend).
#[doc(hidden)]
pub(crate) trait ConditionBackend: Backend {
    /// Writes `condition` on `column` of `table`.
    fn write_condition(
        condition: &dyn DynCondition,
        table: &'static TableMeta,
        column: &'static str,
        w: &mut WhereWriter<'_, Self>,
    );
}

macro_rules! condition_backend {
    ($feature:literal, $backend:ident, $write:ident) => {
        #[cfg(feature = $feature)]
        impl ConditionBackend for crate::driver::$backend {
            fn write_condition(
                condition: &dyn DynCondition,
                table: &'static TableMeta,
                column: &'static str,
                w: &mut WhereWriter<'_, Self>,
            ) {
                condition.$write(table, column, w)
            }
        }
    };
}
condition_backend!("postgres", Pg, write_postgres);
condition_backend!("mysql", MySql, write_mysql);
condition_backend!("sqlx-sqlite", Sqlite, write_sqlite);
condition_backend!("rusqlite", Lite, write_lite);

/// Parts joined by `separator`, parenthesised as a balanced tree of small
/// groups: SQLite parses `a OR b OR …` into a tree as deep as the list is
/// long and refuses depths past 1,000 (a composite-key `get_many` of a few
/// thousand keys), while this stays a few levels deep.
fn write_joined<B: ConditionBackend>(parts: &[Node], separator: &str, w: &mut WhereWriter<'_, B>) {
    const GROUP: usize = 8;
    w.push("(");
    if parts.len() <= GROUP {
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                w.push(separator);
            }
            part.write(w);
        }
    } else {
        let (left, right) = parts.split_at(parts.len() / 2);
        write_joined(left, separator, w);
        w.push(separator);
        write_joined(right, separator, w);
    }
    w.push(")");
}

/// One writer of [`DynCondition`]: the condition written by the backend's
/// [`WhereWriter`].
macro_rules! write_for {
    ($feature:literal, $method:ident, $backend:ident) => {
        #[cfg(feature = $feature)]
        fn $method(
            &self,
            table: &'static TableMeta,
            column: &'static str,
            w: &mut WhereWriter<'_, crate::driver::$backend>,
        ) {
            w.condition(table, column, self);
        }
    };
}

impl<T: SqlValue> DynCondition for Condition<T> {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn terms(&self) -> usize {
        match self {
            Condition::In(values) | Condition::NotIn(values) => values.len().max(1),
            _ => 1,
        }
    }
    fn fold_eq(&self, others: &[&dyn DynCondition]) -> Option<Arc<dyn DynCondition>> {
        let Condition::Eq(first) = self else {
            return None;
        };
        let mut values = Vec::with_capacity(others.len() + 1);
        values.push(first.clone());
        for other in others {
            match other.as_any().downcast_ref::<Condition<T>>() {
                Some(Condition::Eq(value)) => values.push(value.clone()),
                _ => return None,
            }
        }
        Some(Arc::new(Condition::In(values)))
    }
    write_for!("postgres", write_postgres, Pg);
    write_for!("mysql", write_mysql, MySql);
    write_for!("sqlx-sqlite", write_sqlite, Sqlite);
    write_for!("rusqlite", write_lite, Lite);
}

#[derive(Clone, Debug)]
pub(crate) enum Node {
    Condition {
        table: &'static TableMeta,
        column: &'static str,
        condition: Arc<dyn DynCondition>,
    },
    Like {
        table: &'static TableMeta,
        column: &'static str,
        pattern: String,
        case_insensitive: bool,
    },
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Const(bool),
    /// The soft-delete marker of `table` says live (`live`) or deleted on
    /// a soft-deleting table; always true on others.
    Live {
        table: &'static TableMeta,
        live: bool,
    },
    /// `EXISTS (SELECT 1 FROM child WHERE child.fk = parent.key AND filter)`.
    Exists {
        child: &'static TableMeta,
        child_column: &'static str,
        parent: &'static TableMeta,
        parent_column: &'static str,
        filter: Box<Node>,
    },
}

/// The `Eq` condition a part of an `OR` amounts to (through groups of
/// one), with its column.
fn eq_leaf(node: &Node) -> Option<(&'static TableMeta, &'static str, &dyn DynCondition)> {
    match node {
        Node::And(parts) | Node::Or(parts) if parts.len() == 1 => eq_leaf(&parts[0]),
        Node::Condition {
            table,
            column,
            condition,
        } => Some((table, column, &**condition)),
        _ => None,
    }
}

/// The parts of an `OR` with the `eq` terms on one column folded into one
/// `IN` (`a = 1 OR a = 2` is `a IN (1, 2)`, NULLs alike): a search's
/// `any_of` of many values is one list the database looks up, not a tree
/// of comparisons (SQLite took seconds over a few thousand). `None` when
/// nothing folds.
fn fold_or(parts: &[Node]) -> Option<Vec<Node>> {
    use std::collections::HashMap;
    // (table, column) → the indices of its parts that may be `eq`s.
    let mut groups: HashMap<(usize, &'static str), Vec<usize>> = HashMap::new();
    for (i, part) in parts.iter().enumerate() {
        if let Some((table, column, _)) = eq_leaf(part) {
            groups
                .entry((std::ptr::from_ref(table) as usize, column))
                .or_default()
                .push(i);
        }
    }
    let mut replaced: HashMap<usize, Option<Node>> = HashMap::new();
    for indices in groups.values().filter(|g| g.len() > 1) {
        let leaves: Vec<_> = indices.iter().filter_map(|&i| eq_leaf(&parts[i])).collect();
        let [(table, column, first), rest @ ..] = leaves.as_slice() else {
            continue;
        };
        let others: Vec<&dyn DynCondition> = rest.iter().map(|(_, _, c)| *c).collect();
        if let Some(folded) = first.fold_eq(&others) {
            replaced.insert(
                indices[0],
                Some(Node::Condition {
                    table,
                    column,
                    condition: folded,
                }),
            );
            for &i in &indices[1..] {
                replaced.insert(i, None);
            }
        }
    }
    if replaced.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        match replaced.remove(&i) {
            Some(Some(folded)) => out.push(folded),
            Some(None) => {}
            None => out.push(part.clone()),
        }
    }
    Some(out)
}

impl Node {
    /// How many condition terms the expression holds (see
    /// [`DynCondition::terms`]).
    pub(crate) fn terms(&self) -> usize {
        match self {
            Node::Condition { condition, .. } => condition.terms(),
            Node::Like { .. } => 1,
            Node::And(parts) | Node::Or(parts) => parts.iter().map(Node::terms).sum(),
            Node::Not(inner) => inner.terms(),
            Node::Exists { filter, .. } => 1 + filter.terms(),
            Node::Const(_) | Node::Live { .. } => 0,
        }
    }

    pub(crate) fn condition<T: SqlValue>(
        table: &'static TableMeta,
        column: &'static str,
        condition: Condition<T>,
    ) -> Node {
        Node::Condition {
            table,
            column,
            condition: Arc::new(condition),
        }
    }

    /// `a AND b` / `a OR b`, flattening nested groups of the same kind.
    fn join(a: Node, b: Node, and: bool) -> Node {
        let mut parts = Vec::new();
        for node in [a, b] {
            match (node, and) {
                (Node::And(inner), true) | (Node::Or(inner), false) => parts.extend(inner),
                (Node::Const(true), true) | (Node::Const(false), false) => {}
                (node, _) => parts.push(node),
            }
        }
        if and {
            Node::And(parts)
        } else {
            Node::Or(parts)
        }
    }

    /// Writes the expression for backend `B`.
    pub(crate) fn write<B: ConditionBackend>(&self, w: &mut WhereWriter<'_, B>) {
        match self {
            Node::Condition {
                table,
                column,
                condition,
            } => B::write_condition(&**condition, table, column, w),
            Node::Like {
                table,
                column,
                pattern,
                case_insensitive,
            } => w.like(table, column, pattern, *case_insensitive),
            Node::And(parts) | Node::Or(parts) => {
                let and = matches!(self, Node::And(_));
                if parts.is_empty() {
                    w.push(if and { "1 = 1" } else { "1 = 0" });
                    return;
                }
                if !and && let Some(folded) = fold_or(parts) {
                    if let [one] = folded.as_slice() {
                        one.write(w);
                    } else {
                        write_joined(&folded, " OR ", w);
                    }
                    return;
                }
                write_joined(parts, if and { " AND " } else { " OR " }, w);
            }
            Node::Not(inner) => {
                w.push("NOT (");
                inner.write(w);
                w.push(")");
            }
            Node::Const(value) => w.push(if *value { "1 = 1" } else { "1 = 0" }),
            Node::Live { table, live } => match table.soft_delete {
                Some(soft) => {
                    w.column(table, soft.column);
                    w.live_condition(soft.kind, *live);
                }
                None => w.push("1 = 1"),
            },
            Node::Exists {
                child,
                child_column,
                parent,
                parent_column,
                filter,
            } => {
                // The outer key is named before the child's alias exists, so
                // a self-reference still means the outer row.
                let outer = w.column_sql(parent, parent_column);
                w.push("EXISTS (SELECT 1 FROM ");
                w.table(child);
                w.enter(child);
                w.push(" WHERE ");
                w.column(child, child_column);
                w.push(" = ");
                w.push(&outer);
                w.push(" AND ");
                if let Some(soft) = child.soft_delete {
                    // Soft-deleted rows are no one's children.
                    w.column(child, soft.column);
                    w.live_condition(soft.kind, true);
                    w.push(" AND ");
                }
                filter.write(w);
                w.push(")");
                w.leave();
            }
        }
    }
}
