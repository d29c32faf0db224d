import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectClient, type RestorepointClient } from '../../client/connect';
import { startExport } from '../../client/exports';
import { startRollback } from '../../client/rollbacks';
import type { Config } from '../../config/schema';
import { rollbackWorkflowId } from '../../core/rollback/rollback-input';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { sql } from '../export/harness';
import { APPROVERS, waitForStage } from '../rollback/rollback-world';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { startTestWorld, type TestWorld } from '../support/temporal';
import { pendingActivity, waitFor, WorkerProcess } from './fault-world';

const ROWS = 100_000;

/**
 * kill -9 of the worker while a rollback prepares (its staging copy and diff) and while it
 * waits for approval. The rollback must survive both: prepare is redone by the next worker,
 * the approval wait lives in the workflow (not in any process), an approval given after the
 * crash is still heard, and the source ends exactly as it was at the target, with no staging
 * schema left behind.
 */
describe('a worker killed in rollback prepare or awaiting approval loses nothing', () => {
  let db: ScratchDatabase;
  let world: TestWorld;
  let config: Config;
  let client: RestorepointClient;
  let worker: WorkerProcess;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-faults-rollback-'));

  before(async () => {
    db = await scratchDatabase('faults_rb');
    await sql(db.url, 'create table accounts (id int primary key, v text)', `insert into accounts select g, md5(g::text) from generate_series(1, ${ROWS}) g`);
    world = await startTestWorld({ app: db.url });
    config = { ...world.config, approval: { approversRequired: 1, approvers: APPROVERS, requesterMayApprove: false, timeoutSeconds: 3600 } };
    client = await connectClient(config);
    worker = await WorkerProcess.start(config);
  });

  after(async () => {
    await worker?.kill();
    await client?.close();
    await world?.close();
    await db?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  /** SIGKILLs the worker that holds the rollback and starts the next one. */
  async function crash(): Promise<void> {
    await worker.kill();
    worker = await WorkerProcess.start(config);
  }

  it('killed mid-prepare and again while awaiting approval: approved afterwards, the rollback restores the data exactly', async () => {
    const exported = await startExport(client, { source: 'app', destination: `file://${folder}`, requestedBy: 'test' });
    await exported.result();
    const atTarget = await databaseFingerprint(db.url);
    await sql(db.url, "update accounts set v = 'wiped' where id % 3 = 0", 'delete from accounts where id % 7 = 0');

    const rollback = await startRollback(client, { source: 'app', target: { exportId: exported.exportId }, tables: ['accounts'], requestedBy: 'alice', reason: 'accounts wiped' });
    const workflow = client.temporal.workflow.getHandle(rollbackWorkflowId(rollback.rollbackId));
    await waitFor('the prepare activity', () => pendingActivity(workflow, 'prepareRollback'));
    await crash();

    const awaiting = await waitForStage(rollback, 'awaiting-approval');
    const prepareAttempts = ((await workflow.fetchHistory()).events ?? []).filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 1);
    assert.ok(prepareAttempts.some((a) => a >= 2), `no activity was retried after the crash: attempts ${JSON.stringify(prepareAttempts)}`);
    await crash();
    // Still waiting, in the workflow: the next worker answers its status and hears the approval.
    assert.deepEqual((await waitForStage(rollback, 'awaiting-approval')).preview, awaiting.preview);
    await rollback.decide('approve', 'bob', 'checked the preview');
    const done = await rollback.result();
    assert.equal(done.stage, 'done', done.outcome ?? '');
    assert.deepEqual(await databaseFingerprint(db.url), atTarget, 'the source is not exactly as it was at the target (or a staging schema was left)');
    worker.assertAlive('after the rollback');
  });
});
