import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { appendLedger, listLedger } from '../../catalog/ledger';
import { freshCatalog, type FreshCatalog } from '../catalog/fresh-catalog';

let catalog: FreshCatalog;
before(async () => {
  catalog = await freshCatalog();
  const steps: ReadonlyArray<readonly [string, string]> = [
    ['exp-a', 'export.requested'],
    ['exp-b', 'export.requested'],
    ['exp-a', 'export.succeeded'],
    ['exp-b', 'export.failed'],
    ['exp-a', 'export.verified'],
  ];
  for (const [subject, action] of steps) await appendLedger(catalog.db, { actor: 'worker', action, subject, outcome: 'ok' });
});
after(() => catalog.close());

test('entries about one subject come oldest first', async () => {
  const entries = await listLedger(catalog.db, { subject: 'exp-a' });
  assert.deepEqual(entries.map((e) => [e.seq, e.action]), [
    [1, 'export.requested'],
    [3, 'export.succeeded'],
    [5, 'export.verified'],
  ]);
});

test('entries of one action, and both filters together', async () => {
  assert.deepEqual((await listLedger(catalog.db, { action: 'export.requested' })).map((e) => e.subject), ['exp-a', 'exp-b']);
  assert.deepEqual((await listLedger(catalog.db, { action: 'export.requested', subject: 'exp-b' })).map((e) => e.seq), [2]);
});

test('limit and afterSeq page through the ledger', async () => {
  const first = await listLedger(catalog.db, { limit: 2 });
  const rest = await listLedger(catalog.db, { limit: 2, afterSeq: first.at(-1)!.seq });
  assert.deepEqual([...first, ...rest].map((e) => e.seq), [1, 2, 3, 4]);
});

test('a malformed query is INPUT_INVALID', async () => {
  await assert.rejects(listLedger(catalog.db, { limit: 0 }), { code: 'INPUT_INVALID' });
});
