import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChainLink } from '../../core/restore-points';
import { coverageSpans } from '../../console/trail-view';

const h = (n: number) => String(n).padStart(64, '0');
const full = (id: string, asOf: string, position: number | null, extra: Partial<ChainLink> = {}): ChainLink => ({
  exportId: id, mode: 'full', status: 'succeeded', source: 'app', destination: 'file:///x', parentExportId: null, baseExportId: null,
  trailFrom: null, trailTo: position === null ? null : { position, hash: h(position) }, asOf, txidSnapshot: '100:100:', role: 'backup', partial: false,
  tables: ['public.customer', 'public.film'], ...extra,
});

test('the span starts at the oldest whole export taken with a trail position and runs to now', () => {
  const links = [full('before-tracking', '2026-01-01T00:00:00.000Z', null), full('f1', '2026-01-02T00:00:00.000Z', 10), full('f2', '2026-01-03T00:00:00.000Z', 20)];
  assert.deepEqual(coverageSpans(links, 'app', ['public.film']), [{ from: new Date('2026-01-02T00:00:00.000Z'), to: null }]);
});

test('an export that is corrupt, a safety snapshot or lacks a tracked table does not start it', () => {
  const links = [
    full('corrupt', '2026-01-01T00:00:00.000Z', 5, { verificationStatus: 'corrupt' }),
    full('safety', '2026-01-02T00:00:00.000Z', 8, { role: 'safety-snapshot' }),
    full('films-only', '2026-01-03T00:00:00.000Z', 9, { tables: ['public.film'], partial: true }),
    full('f1', '2026-01-04T00:00:00.000Z', 10),
  ];
  assert.deepEqual(coverageSpans(links, 'app', ['public.customer', 'public.film']), [{ from: new Date('2026-01-04T00:00:00.000Z'), to: null }]);
});

test('no whole export the trail continues from: no span', () => {
  assert.deepEqual(coverageSpans([full('before-tracking', '2026-01-01T00:00:00.000Z', null)], 'app', ['public.film']), []);
  assert.deepEqual(coverageSpans([], 'app', ['public.film']), []);
});
