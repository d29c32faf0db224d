import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson, type JsonObject } from '../../catalog/ledger/canonical-json';
import { invertChanges, type HistoryEntry, type InverseOperation, type TrailEntry } from '../../trail';

// A model table `public.item (id primary key, v)` in memory: random histories of inserts, updates
// (some changing the key) and deletes by two actors, a random selection, and the plan checked
// against replaying the history without the selected entries.

type Row = { readonly id: number; readonly v: number };
type Table = ReadonlyMap<number, Row>;
type Intent = { readonly kind: 'insert' | 'update' | 'rekey' | 'delete'; readonly id: number; readonly to: number; readonly v: number; readonly actor: 'a' | 'b' };

const intent = fc.record({
  kind: fc.constantFrom('insert', 'update', 'rekey', 'delete'),
  id: fc.integer({ min: 1, max: 6 }),
  to: fc.integer({ min: 1, max: 6 }),
  v: fc.integer({ min: 0, max: 3 }),
  actor: fc.constantFrom('a', 'b'),
}) as fc.Arbitrary<Intent>;

/** Entries for the intents that make sense on the table as it then is; the rest are skipped. */
function record(intents: readonly Intent[], start: Table): TrailEntry[] {
  const table = new Map(start);
  const entries: TrailEntry[] = [];
  const push = (i: Intent, op: TrailEntry['op'], before: Row | null, after: Row | null) => {
    const position = entries.length + 1;
    entries.push({
      seq: position, xid: String(100 + position), position, at: new Date(position * 1000).toISOString(),
      schema: 'public', table: 'item', op, key: { id: (op === 'insert' ? after : before)!.id },
      oldRow: before, newRow: after, partition: null, actor: i.actor, dbUser: 'app', application: null,
    });
  };
  for (const i of intents) {
    const row = table.get(i.id);
    if (i.kind === 'insert' && !row) {
      table.set(i.id, { id: i.id, v: i.v });
      push(i, 'insert', null, table.get(i.id)!);
    } else if (i.kind === 'update' && row) {
      table.set(i.id, { id: i.id, v: i.v });
      push(i, 'update', row, table.get(i.id)!);
    } else if (i.kind === 'rekey' && row && !table.has(i.to)) {
      table.delete(i.id);
      table.set(i.to, { id: i.to, v: row.v });
      push(i, 'update', row, table.get(i.to)!);
    } else if (i.kind === 'delete' && row) {
      table.delete(i.id);
      push(i, 'delete', row, null);
    }
  }
  return entries;
}

/** What load-history.ts works out in SQL, done in memory: plain integer keys need no normalizing. */
function historyOf(entries: readonly TrailEntry[]): HistoryEntry[] {
  const identity = (row: JsonObject | null) => (row === null ? null : JSON.stringify(['public', 'item', canonicalJson({ id: row.id })]));
  return entries.map((entry) => ({
    entry,
    rowBefore: entry.op === 'insert' ? null : identity(entry.key),
    rowAfter: identity(entry.newRow),
    changedColumns:
      entry.op === 'update' ? Object.keys(entry.newRow!).filter((c) => canonicalJson(entry.newRow![c]) !== canonicalJson(entry.oldRow![c])).sort() : [],
  }));
}

function replay(entries: readonly TrailEntry[], start: Table): Map<number, Row> {
  const table = new Map(start);
  for (const e of entries) {
    if (e.oldRow) table.delete(Number(e.oldRow.id));
    if (e.newRow) table.set(Number(e.newRow.id), e.newRow as Row);
  }
  return table;
}

/** Applies a plan the way the rendered SQL does, row checks included; a failed check throws. */
function apply(operations: readonly InverseOperation[], entries: readonly TrailEntry[], table: Map<number, Row>): void {
  const bySeq = new Map(entries.map((e) => [e.seq, e]));
  for (const operation of operations) {
    const entry = bySeq.get(operation.undoes.seq)!;
    const current = table.get(Number(operation.key?.id));
    if (operation.kind === 'insert') {
      assert.equal(current, undefined, 'the key is free');
      table.set(Number(entry.oldRow!.id), entry.oldRow as Row);
    } else if (operation.kind === 'delete') {
      assert.deepEqual(current, entry.newRow, 'the row is as inserted');
      table.delete(Number(entry.newRow!.id));
    } else {
      assert.ok(current && operation.guardColumns.every((c) => current[c as keyof Row] === entry.newRow![c]), 'the row is as updated');
      table.delete(current.id);
      const restored = { ...current, ...Object.fromEntries(operation.columns.map((c) => [c, entry.oldRow![c]])) } as Row;
      assert.equal(table.has(restored.id), false, 'the old key is free');
      table.set(restored.id, restored);
    }
  }
}

const START: Table = new Map([1, 2, 3].map((id) => [id, { id, v: 0 }]));

test('without conflicts, undoing the selection leaves the table as if the selected changes never happened', () => {
  fc.assert(
    fc.property(fc.array(intent, { maxLength: 25 }), fc.constantFrom('a', 'b'), (intents, undone) => {
      const entries = record(intents, START);
      const plan = invertChanges(historyOf(entries), (e) => e.actor === undone);
      fc.pre(plan.conflicts.length === 0);
      const table = replay(entries, START);
      apply(plan.operations, entries, table);
      assert.deepEqual(table, replay(entries.filter((e) => e.actor !== undone), START));
    }),
    { numRuns: 500 },
  );
});

test('every conflict names a selected entry and a later, unselected change to the same row', () => {
  fc.assert(
    fc.property(fc.array(intent, { maxLength: 25 }), (intents) => {
      const entries = record(intents, START);
      const history = historyOf(entries);
      const plan = invertChanges(history, (e) => e.actor === 'a');
      assert.equal(plan.selected, entries.filter((e) => e.actor === 'a').length);
      for (const conflict of plan.conflicts) {
        const [selected, later] = [entries[conflict.entry.position! - 1]!, entries[conflict.laterEntry!.position! - 1]!];
        assert.equal(selected.actor, 'a');
        assert.equal(later.actor, 'b');
        assert.ok(later.position! > selected.position!);
        const rows = (h: HistoryEntry) => [h.rowBefore, h.rowAfter].filter((r) => r !== null);
        const shared = rows(history[later.position! - 1]!).some((r) => rows(history[selected.position! - 1]!).includes(r));
        assert.ok(shared, 'the later change touches a row the selected one touched');
      }
    }),
    { numRuns: 500 },
  );
});

test('operations come out newest first, and an update that changed nothing has none', () => {
  const entries = record(
    [
      { kind: 'update', id: 1, to: 1, v: 0, actor: 'a' },
      { kind: 'update', id: 2, to: 2, v: 5, actor: 'a' },
      { kind: 'delete', id: 3, to: 3, v: 0, actor: 'a' },
    ],
    START,
  );
  const plan = invertChanges(historyOf(entries), () => true);
  assert.deepEqual(plan.operations.map((o) => [o.kind, o.undoes.position]), [
    ['insert', 3],
    ['update', 2],
  ]);
});
