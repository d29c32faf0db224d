import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rollbackRecord, startRollback, undoRollback } from '../../client/rollbacks';
import { listLedger } from '../../catalog/ledger';
import { openCatalog } from '../../catalog/catalog-db';
import { databaseFingerprint, pagilaDatabase } from '../support/pagila';
import type { ScratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, waitForStage, type RollbackWorld } from './rollback-world';

describe('a Pagila bulk-edit accident is previewed, approved, applied, validated and undone', () => {
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

  it('puts customers, rentals and payments back exactly, then undo brings the accident back', async () => {
    const exportId = await rw.exportApp();
    const beforeAccident = await databaseFingerprint(db.url);

    // The accident: a bulk UPDATE of customers, and rentals deleted with their payments.
    const updated = await sql(db.url, "update customer set email = 'nobody@example.com', active = 0 where customer_id <= 300");
    const payments = await sql(db.url, 'delete from payment where rental_id in (select rental_id from rental where rental_id % 7 = 0)');
    const rentals = await sql(db.url, 'delete from rental where rental_id % 7 = 0');
    assert.equal(updated.rowCount, 300);
    const afterAccident = await databaseFingerprint(db.url);

    const rollback = await startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['customer', 'rental', 'payment'], requestedBy: 'alice', reason: 'bulk edit by mistake' });
    const waiting = await waitForStage(rollback, 'awaiting-approval');
    const byTable = Object.fromEntries(waiting.preview!.tables.map((t) => [t.table, t]));
    assert.deepEqual([byTable['public.customer']!.updates, byTable['public.customer']!.inserts, byTable['public.customer']!.deletes], [300, 0, 0]);
    assert.deepEqual([byTable['public.rental']!.inserts, byTable['public.rental']!.updates, byTable['public.rental']!.deletes], [rentals.rowCount, 0, 0]);
    assert.deepEqual([byTable['public.payment']!.inserts, byTable['public.payment']!.updates, byTable['public.payment']!.deletes], [payments.rowCount, 0, 0]);
    // The accident's transaction shows as a change made after the restore point.
    assert.equal(byTable['public.customer']!.changedSinceTarget.reduce((s, c) => s + c.rows, 0), 300);
    assert.equal(waiting.preview!.totals.conflicts, 0);

    const catalog = openCatalog(rw.world.config.catalog.url);
    try {
      const record = await rollbackRecord(catalog, rollback.rollbackId);
      const customerSamples = record.samples!.find((s) => s.table === 'public.customer')!;
      assert.equal(customerSamples.updates[0]!.after.email !== 'nobody@example.com', true);
      assert.equal(customerSamples.updates[0]!.before.email, 'nobody@example.com');

      const decision = await rollback.decide('approve', 'bob', 'matches the incident report');
      assert.equal(decision.accepted, true);
      const done = await rollback.result();
      assert.equal(done.stage, 'done', done.outcome ?? '');
      assert.equal(done.validation!.ok, true);
      assert.deepEqual(await databaseFingerprint(db.url), beforeAccident);

      const actions = (await listLedger(catalog, { subject: rollback.rollbackId })).map((e) => e.action);
      for (const action of ['rollback.requested', 'rollback.prepared', 'rollback.previewed', 'rollback.approved', 'rollback.snapshot.taken', 'rollback.applied', 'rollback.validated', 'rollback.stage.done']) {
        assert.ok(actions.includes(action), `ledger has ${action}: ${actions.join(', ')}`);
      }

      const undo = await undoRollback(rw.client, catalog, rollback.rollbackId, { requestedBy: 'alice' });
      const undoPreview = await waitForStage(undo, 'awaiting-approval');
      assert.equal(undoPreview.preview!.totals.updates, 300);
      await undo.decide('approve', 'carol', 'put the accident back for forensics');
      assert.equal((await undo.result()).stage, 'done');
      assert.deepEqual(await databaseFingerprint(db.url), afterAccident);
    } finally {
      await catalog.destroy();
    }
  });
});
