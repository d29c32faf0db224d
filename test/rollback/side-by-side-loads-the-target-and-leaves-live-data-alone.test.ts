import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRollback } from '../../client/rollbacks';
import { databaseFingerprint, pagilaDatabase } from '../support/pagila';
import type { ScratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, type RollbackWorld } from './rollback-world';

describe('side by side, a rollback loads the target into a schema for inspection', () => {
  let db: ScratchDatabase;
  let rw: RollbackWorld;
  before(async () => {
    db = await pagilaDatabase('rollback');
    rw = await startRollbackWorld(db.url);
  });
  after(async () => {
    await rw?.close();
    await db?.drop();
  });

  it('previews against live data, needs no approval, and leaves live data as it is', async () => {
    const exportId = await rw.exportApp();
    const deleted = await sql(db.url, 'delete from payment where customer_id = 1');
    const afterAccident = await databaseFingerprint(db.url);

    const rollback = await startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['payment', 'customer'], mode: 'side-by-side', sideBySideSchema: 'inspect_payments', requestedBy: 'alice', reason: 'what did customer 1 pay?' });
    const final = await rollback.result();
    assert.equal(final.stage, 'done', final.outcome ?? '');
    const payment = final.preview!.tables.find((t) => t.table === 'public.payment')!;
    assert.deepEqual([payment.inserts, payment.updates, payment.deletes], [deleted.rowCount, 0, 0]);
    assert.deepEqual(await databaseFingerprint(db.url), afterAccident);
    const copy = await sql(db.url, 'select count(*)::int as n from inspect_payments.payment where customer_id = 1');
    assert.equal(copy.rows[0].n, deleted.rowCount);
  });
});
