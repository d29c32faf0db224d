import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectClient, type RestorepointClient } from '../../client/connect';
import { startExport } from '../../client/exports';
import { startRestore } from '../../client/restores';
import { startVerification } from '../../client/verifications';
import { sql } from '../export/harness';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { startTestWorld, type TestWorld } from '../support/temporal';
import { startLoggedWorker, type LoggedWorker } from '../support/worker-process';

const PASSWORD = `pw-${Math.random().toString(36).slice(2, 12)}`;


/**
 * The worker process as deployed (worker/main.ts): its stdout is one pino log (its own
 * records, the Temporal SDK's and Core's), and `GET /metrics` serves restorepoint's counters
 * with the Temporal runtime's metrics after a real export.
 */
describe('a worker serves metrics and logs only JSON lines without secrets', () => {
  let world: TestWorld;
  let db: ScratchDatabase;
  let client: RestorepointClient;
  let worker: LoggedWorker;
  let folder: string;

  before(async () => {
    db = await scratchDatabase('metrics');
    await sql(db.url, 'create table item (id int primary key, name text)', "insert into item select g, 'n' || g from generate_series(1, 1234) g");
    // The client checks an export's source against its own configuration before anything starts.
    world = await startTestWorld({ src: db.url });
    client = await connectClient(world.config);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-metrics-'));
    worker = await startLoggedWorker(world, db.url, { password: PASSWORD, logLevel: 'info' });
  });
  after(async () => {
    await worker?.kill();
    await client?.close();
    await world?.close();
    await db?.drop();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it('counts a finished export, its verification and its restore, with rows and the age of the last good export, beside the Temporal runtime metrics', async () => {
    const handle = await startExport(client, { source: 'src', destination: `file://${folder}`, requestedBy: 'test' });
    assert.equal((await handle.result()).rows, 1234);
    const verified = await startVerification(client, { exportId: handle.exportId, level: 'checksums', requestedBy: 'test' });
    assert.equal((await verified.result()).status, 'passed');
    const restored = await startRestore(client, { exportId: handle.exportId, target: 'src', targetSchema: 'restored', requestedBy: 'test' });
    await restored.result();
    const response = await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`);
    assert.equal(response.status, 200);
    const body = await response.text();
    assert.match(body, /^restorepoint_exports_total\{source="src",mode="full",outcome="succeeded"\} 1$/m);
    assert.match(body, /^restorepoint_export_rows_sum\{source="src",mode="full"\} 1234$/m);
    assert.match(body, /^restorepoint_export_duration_seconds_count\{source="src",mode="full",outcome="succeeded"\} 1$/m);
    assert.match(body, /^restorepoint_last_good_export_age_seconds\{source="src"\} \d/m);
    assert.match(body, /^restorepoint_activities_total\{activity="exportData",outcome="ok"\} 1$/m);
    assert.match(body, /^restorepoint_verifications_total\{level="checksums",verdict="passed"\} 1$/m);
    assert.match(body, /^restorepoint_restores_total\{outcome="succeeded"\} 1$/m);
    assert.match(body, /^restorepoint_restore_rows_sum 1234$/m);
    // Temporal's own, from Core's exporter, bridged into the same scrape.
    assert.match(body, /^temporal_worker_task_slots_available\{/m);
    assert.match(body, /^temporal_activity_execution_latency_count\{/m);
  });

  it('wrote only JSON lines at info and above, the Temporal runtime included, and never the password', async () => {
    await worker.stop();
    const [stdout, stderr] = [worker.stdout(), worker.stderr()];
    const lines = stdout.split('\n').filter((line) => line.trim() !== '');
    const records = lines.map((line) => {
      try {
        return JSON.parse(line) as { level: string; msg: string; component?: string };
      } catch {
        return assert.fail(`not a JSON line: ${line.slice(0, 200)}`);
      }
    });
    assert.ok(records.every((r) => ['info', 'warn', 'error', 'fatal'].includes(r.level)), 'LOG_LEVEL=info: nothing below info');
    assert.ok(records.some((r) => r.msg === 'worker started'));
    assert.ok(records.some((r) => r.msg === 'activity completed'));
    assert.ok(records.some((r) => r.component === 'temporal'), 'the Temporal runtime logs through the same logger');
    assert.ok(records.some((r) => r.msg === 'shutting down'));
    assert.ok(stdout.includes('postgres:***@'), 'the connection strings were logged, without their password');
    assert.ok(!stdout.includes(PASSWORD) && !stderr.includes(PASSWORD), 'the password never appears');
  });
});
