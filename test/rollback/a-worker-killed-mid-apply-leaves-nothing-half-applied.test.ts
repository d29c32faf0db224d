import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectClient, type RestorepointClient } from '../../client/connect';
import { startExport } from '../../client/exports';
import { startRollback } from '../../client/rollbacks';
import type { Config } from '../../config/schema';
import { createWorker, type RunningWorker } from '../../worker/create-worker';
import { databaseFingerprint, pagilaDatabase } from '../support/pagila';
import type { ScratchDatabase } from '../support/stack';
import { startTestWorld, type TestWorld } from '../support/temporal';
import { APPROVERS, sql, waitForStage } from './rollback-world';
import { WORKER_NODE_FLAGS } from '../../worker/node-flags';

/** The worker as operators run it (`npm run worker`), in a process of its own that the test can kill. */
async function workerProcess(config: Config, dir: string): Promise<ChildProcess> {
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, '--import', 'tsx', path.join(__dirname, '../../worker/main.ts')], { env: { ...process.env, RESTOREPOINT_CONFIG: file }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker started')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
  return child;
}

describe('a worker killed with SIGKILL in the middle of apply', () => {
  let db: ScratchDatabase;
  let world: TestWorld;
  let client: RestorepointClient;
  let config: Config;
  let replacement: RunningWorker | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-killed-'));
  before(async () => {
    db = await pagilaDatabase('rollback');
    world = await startTestWorld({ app: db.url });
    config = { ...world.config, approval: { approversRequired: 1, approvers: APPROVERS, requesterMayApprove: false, timeoutSeconds: 3600 } };
    client = await connectClient(world.config);
  });
  after(async () => {
    await client?.close();
    replacement?.worker.shutdown();
    await replacement?.finished.catch(() => undefined);
    await world?.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the data as it was, and another worker finishes the rollback exactly', async () => {
    const doomed = await workerProcess(config, dir);
    const exported = await startExport(client, { source: 'app', destination: `file://${dir}/exports`, requestedBy: 'test' });
    await exported.result();
    const beforeAccident = await databaseFingerprint(db.url);
    await sql(db.url, 'update rental set return_date = null');
    const afterAccident = await databaseFingerprint(db.url);

    const rollback = await startRollback(client, { source: 'app', target: { exportId: exported.exportId }, tables: ['rental'], requestedBy: 'alice', reason: 'returns wiped', batchRows: 1 });
    await waitForStage(rollback, 'awaiting-approval');
    await rollback.decide('approve', 'bob', 'ok');
    while ((await rollback.status()).progress.rowsApplied === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    doomed.kill('SIGKILL');
    await new Promise((resolve) => doomed.once('exit', resolve));
    assert.deepEqual(await databaseFingerprint(db.url), afterAccident, 'no row of the interrupted apply is visible');

    replacement = await createWorker(config, world.env.nativeConnection);
    const done = await rollback.result();
    assert.equal(done.stage, 'done', done.outcome ?? '');
    assert.deepEqual(await databaseFingerprint(db.url), beforeAccident);
  });
});
