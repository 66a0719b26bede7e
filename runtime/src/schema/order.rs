//! Dependency order of tables: referenced tables before referencing ones.

use std::collections::{BTreeMap, BTreeSet};

use crate::meta::{ForeignKeyMeta, TableMeta};

/// Tables in creation order, and the foreign keys that close a cycle and
/// must be added once every table exists.
pub(crate) struct Ordered {
    pub(crate) tables: Vec<&'static TableMeta>,
    pub(crate) deferred: Vec<(&'static TableMeta, &'static ForeignKeyMeta)>,
}

/// Kahn's algorithm, with ties broken by qualified table name so the order
/// never depends on link order. When only cycles remain, the table with the
/// smallest name is taken and its foreign keys to tables not yet placed are
/// deferred. A table referring to itself is not a cycle.
pub(crate) fn order(tables: &[&'static TableMeta]) -> Ordered {
    let by_name: BTreeMap<String, &'static TableMeta> =
        tables.iter().map(|t| (t.qualified_name(), *t)).collect();
    let mut remaining: BTreeSet<String> = by_name.keys().cloned().collect();
    let mut placed: BTreeSet<String> = BTreeSet::new();
    let mut out = Ordered {
        tables: Vec::new(),
        deferred: Vec::new(),
    };

    let deps = |t: &TableMeta| -> BTreeSet<String> {
        let own = t.qualified_name();
        t.foreign_keys
            .iter()
            .map(|fk| fk.target().qualified_name())
            .filter(|target| *target != own)
            .collect()
    };

    while !remaining.is_empty() {
        let ready = remaining
            .iter()
            .find(|name| {
                deps(by_name[*name])
                    .iter()
                    .all(|d| placed.contains(d) || !by_name.contains_key(d))
            })
            .cloned();
        let name = match ready {
            Some(name) => name,
            None => {
                // Only cycles are left: break one at the smallest name.
                let Some(name) = remaining.iter().next().cloned() else {
                    break;
                };
                let table = by_name[&name];
                for fk in table.foreign_keys {
                    let target = fk.target().qualified_name();
                    if target != name && !placed.contains(&target) {
                        out.deferred.push((table, fk));
                    }
                }
                name
            }
        };
        remaining.remove(&name);
        out.tables.push(by_name[&name]);
        placed.insert(name);
    }
    out
}
