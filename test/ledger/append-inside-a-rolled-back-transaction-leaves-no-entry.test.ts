import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { appendLedger, verifyLedger } from '../../catalog/ledger';
import { freshCatalog, type FreshCatalog } from '../catalog/fresh-catalog';

let catalog: FreshCatalog;
before(async () => {
  catalog = await freshCatalog();
});
after(() => catalog.close());

test('an entry appended inside a transaction lives and dies with it', async () => {
  await appendLedger(catalog.db, { actor: 'alice', action: 'export.requested', subject: 'exp-1', outcome: 'ok' });
  await assert.rejects(
    catalog.db.transaction(async (trx) => {
      await appendLedger(trx, { actor: 'alice', action: 'export.deleted', subject: 'exp-1', outcome: 'ok' });
      throw new Error('the deletion it records failed');
    }),
    /deletion it records failed/,
  );
  await catalog.db.transaction(async (trx) => {
    await appendLedger(trx, { actor: 'alice', action: 'export.deleted', subject: 'exp-1', outcome: 'refused' });
  });
  const result = await verifyLedger(catalog.db);
  assert.deepEqual([result.ok, result.entries], [true, 2]);
});
