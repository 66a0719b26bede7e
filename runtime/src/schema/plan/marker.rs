//! MySQL's `entable_live` column behind `unique_live` indexes.

use super::*;

/// MySQL's `entable_live` column: added to a table before its first
/// `unique_live` index, dropped after its last one.
pub(super) struct MarkerChanges {
    dialect: Dialect,
    adds: Vec<(String, (String, SoftDeleteKind))>,
    drops: Vec<String>,
    dropped: bool,
    added: bool,
}

impl MarkerChanges {
    pub(super) fn new(dialect: Dialect, current: &Snapshot, new: &Snapshot) -> MarkerChanges {
        let mut adds = Vec::new();
        let mut drops = Vec::new();
        for after in &new.tables {
            let name = after.qualified_name();
            let Some(before) = current.table(&name) else {
                continue;
            };
            match (
                live_marker_source(dialect, before),
                live_marker_source(dialect, after),
            ) {
                (None, Some((column, kind))) => adds.push((name, (column.to_owned(), kind))),
                (Some(_), None) => drops.push(name),
                // Computed from another column (or kind) now: made again.
                (Some(a), Some(b)) if a != b => {
                    drops.push(name.clone());
                    adds.push((name, (b.0.to_owned(), b.1)));
                }
                _ => {}
            }
        }
        MarkerChanges {
            dialect,
            adds,
            drops,
            dropped: false,
            added: false,
        }
    }

    pub(super) fn before(&mut self, out: &mut Writer, change: &Change) {
        let dropping = matches!(
            change,
            Change::RenameTable { .. }
                | Change::RenameColumn { .. }
                | Change::DropForeignKey { .. }
                | Change::DropIndex { .. }
        );
        if !dropping && !self.dropped {
            self.flush_drops(out);
        }
        if matches!(
            change,
            Change::AddIndex { .. } | Change::AddForeignKey { .. }
        ) && !self.added
        {
            self.flush_adds(out);
        }
    }

    pub(super) fn finish(&mut self, out: &mut Writer) {
        self.flush_drops(out);
        self.flush_adds(out);
    }

    fn flush_drops(&mut self, out: &mut Writer) {
        self.dropped = true;
        for table in std::mem::take(&mut self.drops) {
            let sql = format!(
                "ALTER TABLE {} DROP COLUMN {}",
                out.table(&table),
                out.ident(LIVE_MARKER)
            );
            out.push(&format!("drop the live-row marker of {table}"), false, sql);
        }
    }

    fn flush_adds(&mut self, out: &mut Writer) {
        self.added = true;
        for (table, (column, kind)) in std::mem::take(&mut self.adds) {
            let mut sql = format!("ALTER TABLE {} ADD COLUMN ", out.table(&table));
            push_live_marker(self.dialect, &mut sql, (&column, kind));
            out.push(&format!("add the live-row marker of {table}"), false, sql);
        }
    }
}
