import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { appendLedger, listLedger, verifyLedger } from '../../catalog/ledger';
import { freshCatalog, type FreshCatalog } from '../catalog/fresh-catalog';

let catalog: FreshCatalog;
before(async () => {
  catalog = await freshCatalog();
});
after(() => catalog.close());

const started = { actor: 'alice', action: 'restore.started', subject: 'exp-1', outcome: 'ok', details: { restoreId: 'r-1', target: 'local:t', tables: [] } };

test('a step that runs again (a local activity re-run after its worker died) records its entry once', async () => {
  const first = await appendLedger(catalog.db, started, { once: true });
  const again = await appendLedger(catalog.db, started, { once: true });
  assert.deepEqual(again, first, 'the re-run returns the entry already written');

  // Another run of the same kind, or the same entry without `once`, is a new entry.
  await appendLedger(catalog.db, { ...started, details: { ...started.details, restoreId: 'r-2' } }, { once: true });
  await appendLedger(catalog.db, started);

  const entries = await listLedger(catalog.db, { subject: 'exp-1' });
  assert.deepEqual(
    entries.map((e) => e.details.restoreId),
    ['r-1', 'r-2', 'r-1'],
  );
  const chain = await verifyLedger(catalog.db);
  assert.deepEqual([chain.ok, chain.entries], [true, 3]);
});
