import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { placeHold, releaseHold } from '../../catalog/holds-repo';
import { appendLedger, listLedger } from '../../catalog/ledger';
import { startRun, markVerification } from '../../catalog/verification-repo';
import { verificationWorkflowId } from '../../core/verification/verification-input';
import type { RetentionPolicyInput } from '../../core/retention';
import type { RetentionRunSummary } from '../../core/retention-run-input';
import { readRetentionRun, runRetention } from '../../client/retention';
import { retentionWorld, type RetentionWorld } from './world';

describe('a retention run on the real stack', () => {
  let w: RetentionWorld;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-retention-'));
  const gcs = `gs://restorepoint-retention-${process.pid}/backups`;
  const where: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const policy: RetentionPolicyInput = { keepLast: 1, minAgeDays: 1, tiering: { nearlineAfterDays: 5.5 } };
  const busyRunId = `busy-${process.pid}`;

  // Batches of two, so the three deletions span two batches.
  const run = (dryRun: boolean): Promise<RetentionRunSummary> => runRetention(w.exports.client, { policy, dryRun, requestedBy: 'retention-test', batchSize: 2 });
  const status = async (name: string) => ((await w.catalog('exports').where({ id: ids[name] }).first('status')) as { status: string }).status;
  const deletions = async () => (await listLedger(w.catalog, { action: 'retention.deleted', limit: 1000 })).map((e) => e.subject);

  before(async () => {
    w = await retentionWorld();
    // Oldest first, each aged to the day it pretends to have been taken.
    for (const [name, destination, days] of [
      ['held', gcs, 6],
      ['verified', `file://${folder}`, 5],
      ['busy', gcs, 4],
      ['restoredOnce', gcs, 3.5],
      ['expired', gcs, 3],
      ['newest', gcs, 2],
    ] as const) {
      ids[name] = await w.exportTo(destination);
      where[name] = destination;
      await w.age(ids[name], days);
    }
    ids.failed = 'shop-failed-export';
    where.failed = gcs;
    await w.failedExportWithDebris(ids.failed, gcs);
    await w.age(ids.failed, 2.5);

    await placeHold(w.catalog, { exportId: ids.held!, reason: 'case 42', actor: 'counsel' });
    await markVerification(w.catalog, ids.verified!, 'verified');
    // A verification whose workflow runs (on a queue no worker serves, so it stays running) ...
    await startRun(w.catalog, { id: busyRunId, exportId: ids.busy!, level: 'checksums', requestedBy: 'test', incremental: false });
    await w.exports.client.temporal.workflow.start('verifyExportWorkflow', { taskQueue: 'nobody-serves-this', workflowId: verificationWorkflowId(busyRunId), args: [] });
    // ... and a restore whose workflow is long gone without writing its end: only the first pins its export.
    await appendLedger(w.catalog, { actor: 'test', action: 'restore.started', subject: ids.restoredOnce!, outcome: 'ok', details: { restoreId: 'vanished-restore' } });
  });

  after(async () => {
    await w?.exports.client.temporal.workflow.getHandle(verificationWorkflowId(busyRunId)).terminate().catch(() => undefined);
    await w?.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('a dry run explains every export and touches nothing', async () => {
    const summary = await run(true);
    assert.deepEqual(summary.applied.deleted, 0);
    const { plan } = await readRetentionRun(w.catalog, summary.planId);
    const decided = Object.fromEntries(
      Object.entries(ids).map(([name, id]) => {
        const p = plan.exports.find((e) => e.exportId === id);
        return [name, `${p?.action.kind} ${p?.rule.code}`];
      }),
    );
    assert.deepEqual(decided, {
      held: 'tier tier-by-age',
      verified: 'keep newest-verified',
      busy: 'keep busy',
      restoredOnce: 'delete expired',
      expired: 'delete expired',
      newest: 'keep keep-last',
      failed: 'delete failed-export-cleanup',
    });
    assert.deepEqual(summary.totals, { keep: 3, tier: 1, delete: 3, alreadyDeleted: 0 });
    assert.ok((await w.objectsOf(ids.expired!, gcs)).length > 0);
    assert.ok((await w.objectsOf(ids.failed!, gcs)).length > 0);
    assert.deepEqual(await deletions(), []);
  });

  it('a real run deletes objects then rows, tiers, and writes each deletion to the ledger', async () => {
    const summary = await run(false);
    assert.equal(summary.applied.deleted, 3);
    assert.equal(summary.applied.tiered, 1);
    assert.equal(summary.applied.skipped, 0);
    for (const gone of ['restoredOnce', 'expired', 'failed']) {
      assert.deepEqual(await w.objectsOf(ids[gone]!, where[gone]!), [], `${gone}'s objects are deleted`);
      assert.equal(await status(gone), 'deleted');
      assert.equal(Number((await w.catalog('export_files').where({ export_id: ids[gone] }).count({ n: '*' }))[0]?.n), 0);
    }
    for (const kept of ['held', 'verified', 'busy', 'newest']) {
      assert.ok((await w.objectsOf(ids[kept]!, where[kept]!)).some((k) => k.endsWith('manifest.json')), `${kept} keeps its manifest`);
      assert.equal(await status(kept), 'succeeded');
    }
    assert.deepEqual((await deletions()).sort(), [ids.restoredOnce, ids.expired, ids.failed].sort());
    const entry = (await listLedger(w.catalog, { action: 'retention.deleted', subject: ids.expired })).at(0);
    assert.equal(entry?.actor, 'retention-test');
    assert.equal(entry?.details.planId, summary.planId);
    assert.equal(entry?.details.rule, 'expired');
    assert.ok(Number(entry?.details.objectsDeleted) >= 3, 'parts, DDL and manifest were deleted');
    const tiered = await w.catalog('exports').where({ id: ids.held }).first('storage_class');
    assert.equal((tiered as { storage_class: string }).storage_class, 'NEARLINE');
    assert.equal((await listLedger(w.catalog, { action: 'retention.tiered', subject: ids.held })).length, 1);
    assert.equal((await readRetentionRun(w.catalog, summary.planId)).status, 'finished');
  });

  it('a second run changes nothing', async () => {
    const summary = await run(false);
    assert.deepEqual({ delete: summary.totals.delete, tier: summary.totals.tier, alreadyDeleted: summary.totals.alreadyDeleted }, { delete: 0, tier: 0, alreadyDeleted: 3 });
    assert.deepEqual(summary.applied, { deleted: 0, tiered: 0, skipped: 0, objectsDeleted: 0, bytesDeleted: 0, objectsTiered: 0, orphansRemoved: 0, orphanBytesRemoved: 0 });
    assert.equal((await deletions()).length, 3);
  });

  it('a released hold and a finished verification let the policy apply again', async () => {
    await releaseHold(w.catalog, { exportId: ids.held!, reason: 'case closed', actor: 'counsel' });
    await w.exports.client.temporal.workflow.getHandle(verificationWorkflowId(busyRunId)).terminate('test over');
    const summary = await run(false);
    assert.equal(summary.applied.deleted, 2);
    assert.equal(await status('held'), 'deleted');
    assert.equal(await status('busy'), 'deleted');
    assert.equal(await status('verified'), 'succeeded');
    assert.equal(await status('newest'), 'succeeded');
    assert.deepEqual(
      (await listLedger(w.catalog, { subject: ids.held })).map((e) => e.action).filter((a) => a.startsWith('hold.') || a.startsWith('retention.')),
      ['hold.placed', 'retention.tiered', 'hold.released', 'retention.deleted'],
    );
  });

  it('a held export cannot be deleted and a deleted one cannot be held', async () => {
    await assert.rejects(placeHold(w.catalog, { exportId: ids.expired!, reason: 'too late', actor: 'counsel' }), /was deleted/);
    await assert.rejects(placeHold(w.catalog, { exportId: ids.newest!, reason: '  ', actor: 'counsel' }), /reason is required/);
    const first = await placeHold(w.catalog, { exportId: ids.newest!, reason: 'audit', actor: 'counsel' });
    const again = await placeHold(w.catalog, { exportId: ids.newest!, reason: 'audit again', actor: 'counsel' });
    assert.equal(first.changed, true);
    assert.equal(again.changed, false);
    assert.equal(again.hold?.id, first.hold?.id);
  });
});
