import assert from 'node:assert/strict';
import { test } from 'node:test';
import { followChain, planRestorePoint, type ChainLink } from '../../core/restore-points';

const h = (n: number) => String(n).padStart(64, '0');
const full = (id: string, asOf: string, position: number): ChainLink => ({
  exportId: id, mode: 'full', status: 'succeeded', source: 'app', destination: 'file:///x', parentExportId: null, baseExportId: null,
  trailFrom: null, trailTo: { position, hash: h(position) }, asOf, txidSnapshot: '100:100:',
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
