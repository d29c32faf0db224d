import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { appendLedger, verifyLedger } from '../../catalog/ledger';
import { freshCatalog, type FreshCatalog } from '../catalog/fresh-catalog';

let catalog: FreshCatalog;
before(async () => {
  catalog = await freshCatalog();
  for (const subject of ['exp-1', 'exp-2', 'exp-3']) {
    await appendLedger(catalog.db, { actor: 'alice', action: 'export.requested', subject, outcome: 'ok' });
  }
});
after(() => catalog.close());

const appendOnly = { code: 'P0001', message: /audit ledger is append-only/ };

test('UPDATE is refused by the database, even for a superuser', async () => {
  await assert.rejects(catalog.db('ledger').where({ seq: 2 }).update({ outcome: 'failed' }), { ...appendOnly, message: /UPDATE refused/ });
});

test('DELETE is refused by the database', async () => {
  await assert.rejects(catalog.db('ledger').where({ seq: 3 }).delete(), { ...appendOnly, message: /DELETE refused/ });
});

test('TRUNCATE is refused by the database', async () => {
  await assert.rejects(catalog.db.raw('truncate ledger'), { ...appendOnly, message: /TRUNCATE refused/ });
});

test('replication mode does not switch the refusal off', async () => {
  await assert.rejects(
    catalog.db.transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      await trx('ledger').where({ seq: 1 }).delete();
    }),
    appendOnly,
  );
});

test('after every refusal the chain is whole and still takes appends', async () => {
  await appendLedger(catalog.db, { actor: 'alice', action: 'export.requested', subject: 'exp-4', outcome: 'ok' });
  const result = await verifyLedger(catalog.db);
  assert.deepEqual([result.ok, result.entries], [true, 4]);
});
