import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Knex } from 'knex';
import { openCatalog } from '../../catalog/catalog-db';
import { appendLedger, listLedger, verifyLedger } from '../../catalog/ledger';
import { freshCatalog, type FreshCatalog } from '../catalog/fresh-catalog';

let catalog: FreshCatalog;
let writers: Knex[];
before(async () => {
  catalog = await freshCatalog();
  // Five pools of ten stand in for five worker processes: fifty connections appending at once.
  writers = Array.from({ length: 5 }, () => openCatalog(catalog.url));
});
after(async () => {
  await Promise.all(writers.map((w) => w.destroy()));
  await catalog.close();
});

test('50 concurrent appends from separate connections form one linear chain', async (t) => {
  const started = performance.now();
  const entries = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      appendLedger(writers[i % writers.length]!, { actor: `writer-${i % writers.length}`, action: 'export.requested', subject: `exp-${i}`, outcome: 'ok', details: { i } }),
    ),
  );
  t.diagnostic(`50 concurrent appends: ${(performance.now() - started).toFixed(0)} ms`);

  assert.deepEqual(
    entries.map((e) => e.seq).sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => i + 1),
    'every append got its own seq',
  );
  assert.equal(new Set(entries.map((e) => e.prevHash)).size, 50, 'no two entries share a predecessor');
  assert.deepEqual(await verifyLedger(catalog.db), { ok: true, entries: 50, head: { seq: 50, hash: entries.find((e) => e.seq === 50)!.hash } });
  const subjects = (await listLedger(catalog.db, { limit: 100 })).map((e) => e.subject);
  assert.equal(new Set(subjects).size, 50, 'every append is stored once');
});
