import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rollbackWorkflowId } from '../../core/rollback/rollback-input';
import { startRollback } from '../../client/rollbacks';
import { listLedger } from '../../catalog/ledger';
import { openCatalog } from '../../catalog/catalog-db';
import { databaseFingerprint, pagilaDatabase } from '../support/pagila';
import type { ScratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, waitForStage, type RollbackWorld } from './rollback-world';

describe('a rejected rollback, and approvals from people who may not approve, change nothing', () => {
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

  it('refuses outsiders and the requester, records them in the ledger, and a reject signal ends it with data untouched', async () => {
    const exportId = await rw.exportApp();
    await sql(db.url, 'update film set rental_rate = rental_rate * 10');
    const afterAccident = await databaseFingerprint(db.url);

    const rollback = await startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['film'], requestedBy: 'bob', reason: 'rates multiplied by mistake' });
    assert.equal((await waitForStage(rollback, 'awaiting-approval')).preview!.totals.updates, 1000);

    const outsider = await rollback.decide('approve', 'mallory', 'looks fine to me');
    assert.deepEqual([outsider.accepted, outsider.reason], [false, 'mallory does not hold the approver role']);
    // bob holds the approver role but asked for this rollback himself.
    const requester = await rollback.decide('approve', 'bob', 'my own');
    assert.deepEqual([requester.accepted, requester.reason], [false, 'the requester may not decide on their own rollback']);
    // The same through a plain signal, as `temporal workflow signal` sends it: no credential, so eve is only a claim.
    const raw = rw.client.temporal.workflow.getHandle(rollbackWorkflowId(rollback.rollbackId));
    await raw.signal('approve', { by: 'eve', comment: 'sneaky' });
    let status = await waitForStage(rollback, 'awaiting-approval');
    while (status.decisions.length < 3) status = await waitForStage(rollback, 'awaiting-approval');
    assert.match(status.decisions[2]!.reason ?? '', /^AUTH_INVALID: no token/);
    assert.deepEqual(await databaseFingerprint(db.url), afterAccident);

    await rollback.decide('reject', 'carol', 'restore only the rates of one category instead');
    const final = await rollback.result();
    assert.equal(final.stage, 'rejected');
    assert.equal(final.safetyExportId, null);
    assert.deepEqual(await databaseFingerprint(db.url), afterAccident);
    const staging = await sql(db.url, "select 1 from pg_namespace where nspname like 'rp\\_%'");
    assert.equal(staging.rowCount, 0, 'the staging schema is dropped');

    const catalog = openCatalog(rw.world.config.catalog.url);
    try {
      const entries = await listLedger(catalog, { subject: rollback.rollbackId });
      const refused = entries.filter((e) => e.action === 'rollback.decision.refused').map((e) => e.actor);
      assert.deepEqual(refused.sort(), ['bob', 'mallory', 'unverified (claims eve)']);
      assert.ok(entries.some((e) => e.action === 'rollback.rejected' && e.actor === 'carol'));
      assert.ok(!entries.some((e) => e.action === 'rollback.applied'));
    } finally {
      await catalog.destroy();
    }
  });
});
