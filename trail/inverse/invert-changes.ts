import type { JsonObject } from '../../catalog/ledger';
import type { TrailEntry } from '../trail-entry';
import type { EntryRef, HistoryEntry, InverseConflict, InverseOperation, InversePlan } from './inverse-plan';

export interface InvertOptions {
  /** Generated columns per `schema.table`: compared, never written. */
  readonly generatedColumns?: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * Plans how to undo the selected entries of `history`, which holds them and every entry after the
 * first of them on the same tables, in position (commit) order. Pure: no I/O.
 *
 * Each selected insert becomes a delete, each delete an insert of the old row, each update a
 * setting back of the columns it changed. The operations come out in reverse order, so children
 * deleted before their parent are re-inserted after it, as foreign keys need.
 * A conflict is reported for a selected entry whose row (by key, before or after the change) an
 * unselected entry changes later, whose table is truncated later, or which is itself a truncate.
 * Selected entries that change the same row again are not conflicts: they are undone together.
 */
export function invertChanges(history: readonly HistoryEntry[], isSelected: (entry: TrailEntry) => boolean, options: InvertOptions = {}): InversePlan {
  const operations: InverseOperation[] = [];
  const conflicts: InverseConflict[] = [];
  // Rows changed by selected entries and not since by any other: row identity → those entries.
  const open = new Map<string, HistoryEntry[]>();
  const conflicted = new Set<HistoryEntry>();
  let selected = 0;

  const conflict = (item: HistoryEntry, reason: InverseConflict['reason'], later: TrailEntry | null) => {
    if (conflicted.has(item)) return;
    conflicted.add(item);
    const { entry } = item;
    conflicts.push({
      reason,
      entry: { ...ref(entry), schema: entry.schema, table: entry.table, key: entry.key },
      laterEntry: later && { ...ref(later), op: later.op, actor: later.actor, at: later.at },
    });
  };

  for (const item of history) {
    const { entry } = item;
    const rows = [...new Set([item.rowBefore, item.rowAfter].filter((row): row is string => row !== null))];
    if (isSelected(entry)) {
      selected += 1;
      if (entry.op === 'truncate') {
        conflict(item, 'cannot undo a truncate', null);
        continue;
      }
      for (const row of rows) open.set(row, [...(open.get(row) ?? []), item]);
      const operation = inverseOf(item, options.generatedColumns?.get(`${entry.schema}.${entry.table}`) ?? new Set());
      if (operation) operations.push(operation);
    } else if (entry.op === 'truncate') {
      for (const [row, items] of open) {
        if (items[0]!.entry.schema !== entry.schema || items[0]!.entry.table !== entry.table) continue;
        for (const opened of items) conflict(opened, 'truncated later', entry);
        open.delete(row);
      }
    } else {
      for (const row of rows) {
        for (const opened of open.get(row) ?? []) conflict(opened, 'changed later', entry);
        open.delete(row);
      }
    }
  }
  return { selected, operations: operations.reverse(), conflicts };
}

function ref(entry: TrailEntry): EntryRef {
  return { xid: entry.xid, seq: entry.seq, position: entry.position };
}

function inverseOf(item: HistoryEntry, generated: ReadonlySet<string>): InverseOperation | undefined {
  const { entry } = item;
  const base = { schema: entry.schema, table: entry.table, undoes: ref(entry) };
  const keyColumns = Object.keys(entry.key ?? {});
  switch (entry.op) {
    case 'insert':
      return { ...base, kind: 'delete', key: entry.key, keyColumns };
    case 'delete':
      return { ...base, kind: 'insert', key: entry.key, columns: Object.keys(entry.oldRow ?? {}).filter((c) => !generated.has(c)) };
    case 'update': {
      const columns = item.changedColumns.filter((c) => !generated.has(c));
      // An update that changed nothing (SET x = x) has nothing to undo.
      if (columns.length === 0) return undefined;
      return { ...base, kind: 'update', key: pick(entry.newRow, keyColumns), keyColumns, columns, guardColumns: item.changedColumns };
    }
    case 'truncate':
      return undefined;
  }
}

function pick(row: JsonObject | null, columns: readonly string[]): JsonObject | null {
  if (row === null) return null;
  return Object.fromEntries(columns.map((c) => [c, row[c] ?? null]));
}
