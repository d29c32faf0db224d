import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createRetentionActivities } from '../../activities/retention';
import type { WorkflowProbe } from '../../activities/retention/busy-exports';
import { configSchema } from '../../config/schema';
import { markExport, upsertExport } from '../../catalog/exports-repo';
import { placeHold } from '../../catalog/holds-repo';
import { appendLedger, listLedger } from '../../catalog/ledger';
import { objectNames } from '../../core/object-names';
import type { RetentionApplied } from '../../core/retention-run-input';
import { restoreWorkflowId } from '../../core/restore-input';
import { getExportKey } from '../../crypto/export-keys';
import { openStore } from '../../storage/open-store';
import { freshCatalog, type FreshCatalog } from '../catalog/fresh-catalog';

/**
 * The activities alone, on a real catalog and folder, with Temporal's answer faked: what
 * changes between planning and deleting wins over the plan, and a retried batch is harmless.
 */
describe('retention activities between plan and delete', () => {
  let catalog: FreshCatalog;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-retention-steps-'));
  const destination = `file://${folder}`;
  const store = openStore(destination, { projectId: 'test' });
  const running = new Set<string>();
  const probe: WorkflowProbe = { isRunning: async (id) => running.has(id) };
  let activities: ReturnType<typeof createRetentionActivities>;
  let round = 0;
  const policy = { keepLast: 1, minAgeDays: 0 };
  const env = new MockActivityEnvironment();

  /** Each test seeds exports of a source of its own (the id's first letter), so tests do not decide each other's fate. */
  async function seed(id: string, daysOld: number): Promise<void> {
    await upsertExport(catalog.db, { id, mode: 'full', source: id.slice(0, 1), destination, format: 'csv', compression: 'none', requestedBy: 'test' });
    await markExport(catalog.db, id, 'running');
    await markExport(catalog.db, id, 'succeeded');
    await catalog.db('exports').where({ id }).update({ created_at: catalog.db.raw(`now() - make_interval(days => ?)`, [daysOld]) });
    await store.putBytes(objectNames.manifest(id), Buffer.from('{}'));
    await store.putBytes(`${id}/data/public.orders/part-00000.csv`, Buffer.from('1,tea\n'));
  }
  const keys = async (id: string) => {
    const found: string[] = [];
    for await (const o of store.list(`${id}/`)) found.push(o.key);
    return found;
  };
  async function plan(): Promise<string> {
    const planId = `plan-${++round}`;
    await env.run(activities.planRetentionRun, { planId, policy, dryRun: false, requestedBy: 'test' });
    return planId;
  }
  /** MockActivityEnvironment.run types its result `unknown`. */
  const deleteBatch = async (planId: string) => (await env.run(activities.applyRetentionBatch, { planId, kind: 'delete' as const, offset: 0, limit: 50, actor: 'test' })) as RetentionApplied;

  before(async () => {
    catalog = await freshCatalog();
    const config = configSchema.parse({ catalog: { url: catalog.url }, temporal: {}, gcs: {}, worker: {}, export: {} });
    activities = createRetentionActivities({ config, catalog: catalog.db, openStore: (d) => openStore(d, config.gcs), clock: () => new Date() }, () => probe);
  });
  beforeEach(async () => {
    running.clear();
  });
  after(async () => {
    await catalog.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('a hold placed after planning keeps the export, and the skip is in the ledger', async () => {
    await seed('a-old', 3);
    await seed('a-new', 1);
    const planId = await plan();
    await placeHold(catalog.db, { exportId: 'a-old', reason: 'subpoena', actor: 'counsel' });
    const applied = await deleteBatch(planId);
    assert.deepEqual([applied.deleted, applied.skipped], [0, 1]);
    assert.equal((await keys('a-old')).length, 2);
    const skipped = await listLedger(catalog.db, { action: 'retention.skipped', subject: 'a-old' });
    assert.equal(skipped[0]?.details.why, 'a legal hold was placed after planning');
  });

  it('a restore started after planning keeps the export while its workflow runs', async () => {
    await seed('b-old', 3);
    await seed('b-new', 1);
    const planId = await plan();
    await appendLedger(catalog.db, { actor: 'test', action: 'restore.started', subject: 'b-old', outcome: 'ok', details: { restoreId: 'r-1' } });
    running.add(restoreWorkflowId('r-1'));
    const applied = await deleteBatch(planId);
    assert.equal(applied.skipped, 1);
    assert.equal((await listLedger(catalog.db, { action: 'retention.skipped', subject: 'b-old' }))[0]?.details.why, 'being read by restore r-1');
    running.clear();
    assert.equal((await deleteBatch(await plan())).deleted, 1);
    assert.deepEqual(await keys('b-old'), []);
  });

  it('a retried batch and objects already gone are no-ops, with one ledger entry per deletion', async () => {
    await seed('c-old', 3);
    await seed('c-new', 1);
    await store.delete(objectNames.manifest('c-old'));
    const planId = await plan();
    const first = await deleteBatch(planId);
    const again = await deleteBatch(planId);
    assert.equal(first.deleted, 1);
    assert.deepEqual([again.deleted, again.objectsDeleted], [0, 0]);
    assert.deepEqual(await keys('c-old'), []);
    const entries = await listLedger(catalog.db, { action: 'retention.deleted', subject: 'c-old' });
    assert.equal(entries.length, 1);
    assert.deepEqual([entries[0]?.details.objectsDeleted, entries[0]?.details.planId], [1, planId]);
  });

  it('a deleted export\'s data key is destroyed as exports shred does, once, and the kept export\'s key is untouched', async () => {
    await seed('e-old', 3);
    await seed('e-new', 1);
    for (const id of ['e-old', 'e-new']) {
      await catalog.db('export_keys').insert({ export_id: id, scheme: 'aes-256-gcm-chunked-v1', provider: 'local', key_id: 'local-0000000000000000', wrapped_key: Buffer.alloc(60, 7) });
    }
    const planId = await plan();
    assert.equal((await deleteBatch(planId)).deleted, 1);
    assert.equal((await deleteBatch(planId)).deleted, 0, 'a retried batch');
    const destroyed = await getExportKey(catalog.db, 'e-old');
    assert.ok(destroyed?.destroyedAt, 'marked destroyed');
    assert.equal(destroyed?.destroyedBy, 'test');
    assert.equal((await catalog.db('export_keys').where({ export_id: 'e-old' }).first('wrapped_key')).wrapped_key, null, 'the wrapped key is gone');
    assert.equal((await getExportKey(catalog.db, 'e-new'))?.destroyedAt, null);
    const entries = await listLedger(catalog.db, { action: 'retention.deleted', subject: 'e-old' });
    assert.deepEqual(entries.map((e) => e.details.keyDestroyed), [true]);
  });

  it('a retried planning activity returns the plan it stored first', async () => {
    const planId = `plan-${++round}`;
    const first = await env.run(activities.planRetentionRun, { planId, policy, dryRun: true, requestedBy: 'test' });
    await seed('d-later', 5);
    const retried = await env.run(activities.planRetentionRun, { planId, policy: { keepLast: 100 }, dryRun: true, requestedBy: 'test' });
    assert.deepEqual(retried, first);
    assert.equal((await listLedger(catalog.db, { action: 'retention.planned', subject: planId })).length, 1);
  });

  it('no policy anywhere is a configuration error, a malformed one bad input', async () => {
    await assert.rejects(env.run(activities.planRetentionRun, { planId: 'no-policy', dryRun: true, requestedBy: 'test' }), { code: 'CONFIG_INVALID' });
    await assert.rejects(env.run(activities.planRetentionRun, { planId: 'bad-policy', policy: { keepLast: -1 }, dryRun: true, requestedBy: 'test' }), { code: 'INPUT_INVALID' });
  });
});
