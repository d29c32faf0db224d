import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openCatalog } from '../../catalog/catalog-db';
import { listLedger } from '../../catalog/ledger';
import { rollbackHandle, startRollback } from '../../client/rollbacks';
import { isRestorepointError } from '../../core/errors';
import { databaseFingerprint, pagilaDatabase } from '../support/pagila';
import { tokenFor } from '../support/identity';
import { runCli, worldCliEnv } from '../support/cli';
import type { ScratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, waitForStage, type RollbackWorld } from './rollback-world';

/** Rejects unless `work` fails with the typed error `code`. */
async function refusedWith(work: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(work, (error) => isRestorepointError(error) && error.code === code);
}

describe('only the requester withdraws a pending rollback (library and CLI), and not after a decision', () => {
  let db: ScratchDatabase;
  let rw: RollbackWorld;
  before(async () => {
    db = await pagilaDatabase('rollback_withdraw');
    rw = await startRollbackWorld(db.url);
  });
  after(async () => {
    await rw?.close();
    await db?.drop();
  });

  it('refuses someone else and a requester without the permission, ends cancelled for the requester, and records all three', async () => {
    const exportId = await rw.exportApp();
    await sql(db.url, 'update film set rental_rate = rental_rate * 10');
    const afterAccident = await databaseFingerprint(db.url);
    const rollback = await startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['film'], requestedBy: 'alice', reason: 'rates multiplied' });
    await waitForStage(rollback, 'awaiting-approval');

    // mallory holds every permission (admin) but did not ask for it: refused, through the library and through `rollback withdraw`.
    await refusedWith(rollback.withdraw('not mine', 'mallory'), 'PERMISSION_DENIED');
    const byCli = await runCli({ ...worldCliEnv(rw.world), RESTOREPOINT_TOKEN: await tokenFor('mallory') }, ['rollback', 'withdraw', rollback.rollbackId, '--comment', 'still not mine']);
    assert.equal(byCli.code, 1, byCli.stdout + byCli.stderr);
    assert.match(byCli.stderr, /PERMISSION_DENIED: rollback .*: withdrawal refused: only the requester \(alice\) may withdraw this rollback/);
    // alice asked for it, but this token of hers grants no rollback.withdraw (a viewer's).
    const viewerAlice = { ...rw.client, credential: async () => ({ token: await tokenFor('alice', { app: ['viewer'] }) }) };
    await refusedWith(rollbackHandle(viewerAlice, rollback.rollbackId).withdraw('as a viewer'), 'PERMISSION_DENIED');
    assert.equal((await rollback.status()).stage, 'awaiting-approval');

    const withdrawn = await runCli({ ...worldCliEnv(rw.world), RESTOREPOINT_TOKEN: await tokenFor('alice') }, ['rollback', 'withdraw', rollback.rollbackId, '--comment', 'asked for the wrong table', '--json']);
    assert.equal(withdrawn.code, 0, withdrawn.stdout + withdrawn.stderr);
    assert.deepEqual([JSON.parse(withdrawn.stdout).accepted, JSON.parse(withdrawn.stdout).by], [true, 'alice']);
    const final = await rollback.result();
    assert.equal(final.stage, 'cancelled');
    assert.match(final.outcome ?? '', /withdrawn by the requester alice; nothing was changed/);
    assert.deepEqual(await databaseFingerprint(db.url), afterAccident);
    assert.equal((await sql(db.url, "select 1 from pg_namespace where nspname like 'rp\\_%'")).rowCount, 0, 'the staging schema is dropped');

    const catalog = openCatalog(rw.world.config.catalog.url);
    try {
      const entries = await listLedger(catalog, { subject: rollback.rollbackId });
      assert.deepEqual(entries.filter((e) => e.action === 'rollback.withdraw.refused').map((e) => e.actor).sort(), ['alice', 'mallory', 'mallory']);
      assert.ok(entries.some((e) => e.action === 'rollback.withdrawn' && e.actor === 'alice'));
      assert.ok(entries.some((e) => e.action === 'rollback.stage.cancelled'));
    } finally {
      await catalog.destroy();
    }
  });

  it('refuses a withdrawal once an approver has decided, with ROLLBACK_NOT_PENDING, and records it', async () => {
    const exportId = await rw.exportApp();
    const rollback = await startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['film'], requestedBy: 'alice', reason: 'second thoughts later' });
    await waitForStage(rollback, 'awaiting-approval');
    await rollback.decide('reject', 'bob', 'not needed');
    const catalog = openCatalog(rw.world.config.catalog.url);
    try {
      // The handle with the catalog records a withdrawal that arrives after the workflow closed, as a late decision.
      await refusedWith(rollbackHandle(rw.client, rollback.rollbackId, catalog).withdraw('too late', 'alice'), 'ROLLBACK_NOT_PENDING');
      assert.equal((await rollback.result()).stage, 'rejected');
      const entries = await listLedger(catalog, { subject: rollback.rollbackId });
      assert.ok(entries.some((e) => e.action === 'rollback.withdraw.refused' && e.actor === 'alice'));
      assert.ok(!entries.some((e) => e.action === 'rollback.withdrawn'));
    } finally {
      await catalog.destroy();
    }
  });
});
