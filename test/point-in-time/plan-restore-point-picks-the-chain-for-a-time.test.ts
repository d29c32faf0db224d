import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { followChain, pickParent, planRestorePoint, type ChainLink } from '../../core/restore-points';

const h = (n: number) => String(n).padStart(64, '0');
const full = (id: string, asOf: string, position: number): ChainLink => ({
  exportId: id, mode: 'full', status: 'succeeded', source: 'app', destination: 'file:///x', parentExportId: null, baseExportId: null,
  trailFrom: null, trailTo: { position, hash: h(position) }, asOf, txidSnapshot: '100:100:', role: 'backup', partial: false, tables: ['public.actor', 'public.customer', 'public.film'],
});
const delta = (id: string, parent: ChainLink, base: string, asOf: string, to: number): ChainLink => ({
  ...parent, exportId: id, mode: 'incremental', parentExportId: parent.exportId, baseExportId: base, trailFrom: parent.trailTo, trailTo: { position: to, hash: h(to) }, asOf, txidSnapshot: null,
});

const f1 = full('f1', '2026-01-01T00:00:00.000Z', 10);
const d1 = delta('d1', f1, 'f1', '2026-01-01T01:00:00.000Z', 20);
const d2 = delta('d2', d1, 'f1', '2026-01-01T02:00:00.000Z', 30);
const links = [f1, d1, d2];

test('a time after the last delta: every delta, then the live trail', () => {
  const r = planRestorePoint(links, 'app', '2026-01-01T03:00:00Z');
  assert.ok(r.ok);
  assert.deepEqual([r.plan.base.exportId, r.plan.deltas.map((d) => d.exportId), r.plan.tail], ['f1', ['d1', 'd2'], { kind: 'live', afterPosition: 30 }]);
});

test('a time between two deltas: the earlier ones, then entries from the next one\'s archive', () => {
  const r = planRestorePoint(links, 'app', '2026-01-01T01:30:00Z');
  assert.ok(r.ok);
  assert.deepEqual([r.plan.deltas.map((d) => d.exportId), r.plan.tail], [['d1'], { kind: 'archive', exportId: 'd2', afterPosition: 20, throughPosition: 30 }]);
});

test('exactly at an export: nothing after it', () => {
  const r = planRestorePoint(links, 'app', '2026-01-01T01:00:00.000Z');
  assert.ok(r.ok);
  assert.deepEqual([r.plan.deltas.map((d) => d.exportId), r.plan.tail], [['d1'], { kind: 'none' }]);
});

test('before the first full export, or a source without one: no restore point', () => {
  assert.equal(planRestorePoint(links, 'app', '2025-12-31T00:00:00Z').ok, false);
  assert.equal(planRestorePoint(links, 'other', '2026-01-02T00:00:00Z').ok, false);
});

test('a delta that does not continue its parent is not followed, and following it names the gap', () => {
  const gap = { ...d2, trailFrom: { position: 21, hash: h(21) } };
  const r = planRestorePoint([f1, d1, gap], 'app', '2026-01-01T03:00:00Z');
  assert.ok(r.ok);
  assert.deepEqual([r.plan.deltas.map((d) => d.exportId), r.plan.tail], [['d1'], { kind: 'live', afterPosition: 20 }]);
  const followed = followChain([f1, d1, gap], 'd2');
  assert.ok(!followed.ok);
  assert.match(followed.problem, /^gap: d2 starts after trail position 21/);
});

test('a failed link breaks the chain', () => {
  const followed = followChain([f1, { ...d1, status: 'failed' }, d2], 'd2');
  assert.ok(!followed.ok && followed.exportId === 'd1');
});

test('a corrupt full export is never a base: the older good one is chosen', () => {
  const f0 = full('f0', '2025-12-31T00:00:00.000Z', 5);
  const r = planRestorePoint([f0, { ...f1, verificationStatus: 'corrupt' }], 'app', '2026-01-01T03:00:00Z');
  assert.ok(r.ok);
  assert.deepEqual([r.plan.base.exportId, r.plan.deltas.length, r.plan.tail], ['f0', 0, { kind: 'live', afterPosition: 5 }]);
});

test('a chain stops before a corrupt delta and continues from the live trail', () => {
  const r = planRestorePoint([f1, { ...d1, verificationStatus: 'corrupt' }, d2], 'app', '2026-01-01T03:00:00Z');
  assert.ok(r.ok);
  assert.deepEqual([r.plan.deltas.map((d) => d.exportId), r.plan.tail], [[], { kind: 'live', afterPosition: 10 }]);
});

describe('a chain starts only from an export that holds the tables asked for', () => {
  // f1 holds every table; later, a partial export of film and actor, and a rollback's safety snapshot of customer.
  const partial: ChainLink = { ...full('p1', '2026-01-01T01:10:00.000Z', 15), partial: true, tables: ['public.actor', 'public.film'] };
  const safety: ChainLink = { ...full('r1-safety', '2026-01-01T01:20:00.000Z', 18), role: 'safety-snapshot', partial: true, tables: ['public.customer'] };
  const all = [f1, d1, partial, safety, d2];
  const at = '2026-01-01T03:00:00Z';

  test('a newer partial export is skipped for a table it lacks: the older full one is the base, with its deltas', () => {
    const r = planRestorePoint(all, 'app', at, ['customer']);
    assert.ok(r.ok);
    assert.deepEqual([r.plan.base.exportId, r.plan.deltas.map((d) => d.exportId)], ['f1', ['d1', 'd2']]);
  });

  test('the partial export is the base when it holds every table asked for', () => {
    const r = planRestorePoint(all, 'app', at, ['film', 'public.actor']);
    assert.ok(r.ok);
    assert.deepEqual([r.plan.base.exportId, r.plan.tail], ['p1', { kind: 'live', afterPosition: 15 }]);
  });

  test('with no tables named, or a pattern with *, only an export taken without a table selection is a base', () => {
    for (const tables of [[], ['film*']]) {
      const r = planRestorePoint(all, 'app', at, tables);
      assert.ok(r.ok);
      assert.equal(r.plan.base.exportId, 'f1', tables.join());
    }
  });

  test('a rollback\'s safety snapshot is never a base, even for the very tables it holds', () => {
    const r = planRestorePoint(all, 'app', at, ['customer']);
    assert.ok(r.ok && r.plan.base.exportId === 'f1');
    const alone = planRestorePoint([safety], 'app', at, ['customer']);
    assert.ok(!alone.ok);
    assert.match(alone.problem, /r1-safety is a rollback's safety snapshot/);
  });

  test('no export holding a table asked for: refused, naming the table and what each export holds', () => {
    const r = planRestorePoint([f1, partial], 'app', at, ['payment']);
    assert.ok(!r.ok);
    assert.match(r.problem, /^no full export of app taken at or before .* holds payment: p1 holds only public\.actor, public\.film, not payment; f1 holds only .*, not payment$/);
  });

  test('an older export whose tables the catalog never recorded is taken at its word', () => {
    const r = planRestorePoint([{ ...f1, tables: null }], 'app', at, ['payment']);
    assert.ok(r.ok && r.plan.base.exportId === 'f1');
  });

  test('an incremental export follows the newest link of a chain whose base holds what it tracks', () => {
    const onPartial = delta('dp', partial, 'p1', '2026-01-01T02:30:00.000Z', 40);
    const links = [...all, onPartial];
    const tracked = ['public.actor', 'public.customer', 'public.film'];
    const picked = pickParent(links, 'app', 'file:///x', tracked, 'new');
    assert.ok(picked.ok);
    assert.equal(picked.parent.exportId, 'd2');
    const named = pickParent(links, 'app', 'file:///x', ['public.actor', 'public.film'], 'new');
    assert.ok(named.ok && named.parent.exportId === 'dp');
  });

  test('no chain whose base holds what an incremental export tracks: refused, naming why each base falls short', () => {
    const picked = pickParent([partial, safety], 'app', 'file:///x', ['public.actor', 'public.customer', 'public.film'], 'new');
    assert.ok(!picked.ok);
    assert.match(picked.problem, /^no chain of app in file:\/\/\/x starts from an export holding public\.actor, public\.customer, public\.film \(r1-safety is a rollback's safety snapshot .*; p1 holds only public\.actor, public\.film, not public\.customer\): take a full export/);
    assert.match((pickParent([], 'app', 'file:///x', [], 'new') as { problem: string }).problem, /take a full export first/);
  });
});
