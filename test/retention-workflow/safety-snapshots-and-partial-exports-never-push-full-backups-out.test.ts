import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readRetentionRun, runRetention } from '../../client/retention';
import { rollbackWorkflowId } from '../../core/rollback/rollback-input';
import type { RetentionPolicyInput } from '../../core/retention';
import { sql } from '../export/harness';
import { retentionWorld, type RetentionWorld } from './world';

/**
 * Restorepoint issue 5 on the real stack: the catalog's `role` and `partial` (recorded by real
 * exports) reach the planner, so a rollback's safety snapshot and an `export --tables` never
 * take a full backup's keep-last slot; a running rollback's safety snapshot is never deleted.
 */
describe('retention with safety snapshots and partial exports on the real stack', () => {
  let w: RetentionWorld;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-retention-partial-'));
  const destination = `file://${folder}`;
  const ids: Record<string, string> = {};
  const rollbackId = `rb-retention-${process.pid}`;

  const decisions = async (policy: RetentionPolicyInput, dryRun: boolean): Promise<Record<string, string>> => {
    const summary = await runRetention(w.exports.client, { policy, dryRun, requestedBy: 'retention-test' });
    const { plan } = await readRetentionRun(w.catalog, summary.planId);
    return Object.fromEntries(
      Object.entries(ids).map(([name, id]) => {
        const p = plan.exports.find((e) => e.exportId === id);
        return [name, p ? `${p.action.kind} ${p.rule.code}` : 'gone'];
      }),
    );
  };

  before(async () => {
    w = await retentionWorld();
    const source = w.exports.world.config.sources.shop;
    assert.ok(source);
    await sql(source.url, 'create table customers (id int primary key, name text not null)', "insert into customers values (1, 'ada')");
    const exportAged = async (name: string, days: number, extra: { tables?: string[]; role?: 'safety-snapshot' } = {}): Promise<void> => {
      ids[name] = (await w.exports.exportNow({ source: 'shop', destination, ...extra })).exportId;
      await w.age(ids[name]!, days);
    };
    await exportAged('older', 4);
    await exportAged('newer', 3);
    await exportAged('ordersOnly', 2.5, { tables: ['public.orders'] });
    await exportAged('safety', 2, { tables: ['public.orders'], role: 'safety-snapshot' });
  });

  after(async () => {
    await w?.exports.client.temporal.workflow.getHandle(rollbackWorkflowId(rollbackId)).terminate().catch(() => undefined);
    await w?.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('the catalog records what each export is, and keep-last keeps the two full backups', async () => {
    const rows = (await w.catalog('exports').whereIn('id', Object.values(ids)).select('id', 'role', 'partial')) as { id: string; role: string; partial: boolean }[];
    const recorded = Object.fromEntries(rows.map((r) => [r.id, `${r.role}${r.partial ? ' partial' : ''}`]));
    assert.deepEqual(
      Object.fromEntries(Object.entries(ids).map(([name, id]) => [name, recorded[id]])),
      { older: 'backup', newer: 'backup', ordersOnly: 'backup partial', safety: 'safety-snapshot partial' },
    );
    assert.deepEqual(await decisions({ keepLast: 2, minAgeDays: 1 }, false), {
      older: 'keep keep-last',
      newer: 'keep keep-last',
      ordersOnly: 'delete partial-expired',
      safety: 'keep safety-snapshot',
    });
    assert.equal(((await w.catalog('exports').where({ id: ids.ordersOnly }).first('status')) as { status: string }).status, 'deleted');
  });

  it('a running rollback’s safety snapshot is busy; once the rollback ends it expires like any safety snapshot', async () => {
    await w.catalog('rollbacks').insert({
      id: rollbackId,
      source: 'shop',
      target_export_id: ids.older,
      mode: 'existing-tables',
      tables: JSON.stringify(['public.orders']),
      requested_by: 'test',
      reason: 'retention test',
      stage: 'validating',
      safety_export_id: ids.safety,
    });
    // A rollback workflow that stays running: no worker serves its queue.
    await w.exports.client.temporal.workflow.start('rollbackWorkflow', { taskQueue: 'nobody-serves-this', workflowId: rollbackWorkflowId(rollbackId), args: [] });
    const noSafetyDays = { keepLast: 2, minAgeDays: 1, safetySnapshotDays: 0 };
    assert.equal((await decisions(noSafetyDays, false)).safety, 'keep busy');

    await w.exports.client.temporal.workflow.getHandle(rollbackWorkflowId(rollbackId)).terminate('test over');
    assert.deepEqual(await decisions(noSafetyDays, false), {
      older: 'keep keep-last',
      newer: 'keep keep-last',
      ordersOnly: 'gone',
      safety: 'delete safety-snapshot-expired',
    });
  });
});
