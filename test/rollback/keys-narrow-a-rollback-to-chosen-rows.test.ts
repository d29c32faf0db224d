import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRollback } from '../../client/rollbacks';
import { pagilaDatabase } from '../support/pagila';
import type { ScratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, waitForStage, type RollbackWorld } from './rollback-world';

describe('primary keys narrow a rollback to the chosen rows', () => {
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

  it('puts back only customers 1-3 (one of them deleted) and leaves the other changed rows as they are', async () => {
    const exportId = await rw.exportApp();
    const original = (await sql(db.url, 'select customer_id, email from customer where customer_id <= 5 order by 1')).rows;
    await sql(db.url, "update customer set email = 'wrong@example.com' where customer_id <= 5");
    await sql(db.url, 'delete from payment where customer_id = 3; delete from rental where customer_id = 3; delete from customer where customer_id = 3');

    const keys = { customer: [{ customer_id: 1 }, { customer_id: 2 }, { customer_id: 3 }] };
    const rollback = await startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['customer'], keys, requestedBy: 'alice', reason: 'three customers' });
    const status = await waitForStage(rollback, 'awaiting-approval');
    const customer = status.preview!.tables[0]!;
    assert.deepEqual([customer.inserts, customer.updates, customer.deletes], [1, 2, 0]);
    await rollback.decide('approve', 'bob', 'ok');
    assert.equal((await rollback.result()).stage, 'done');
    const now = (await sql(db.url, 'select customer_id, email from customer where customer_id <= 5 order by 1')).rows;
    assert.deepEqual(now.slice(0, 3), original.slice(0, 3));
    assert.deepEqual(now.slice(3).map((r) => r.email), ['wrong@example.com', 'wrong@example.com']);
  });
});
