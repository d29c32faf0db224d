import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { openCatalog } from '../../catalog/catalog-db';
import { connectClient, type RestorepointClient } from '../../client/connect';
import type { ScheduleListing } from '../../client/schedules';
import type { RetentionRunSummary } from '../../core/retention-run-input';
import type { ExportSummary } from '../../workflows/export-workflow';
import { sql } from '../export/harness';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { startTestWorld, type TestWorld } from '../support/temporal';
import { runCli, type CliResult, worldCliEnv } from '../support/cli';

describe('schedules through the CLI', () => {
  let world: TestWorld;
  let client: RestorepointClient;
  let catalog: Knex;
  let source: ScratchDatabase;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-schedules-'));
  const policyFile = path.join(folder, 'policy.json');

  function cli(...args: string[]): Promise<CliResult> {
    return runCli({ ...worldCliEnv(world), RESTOREPOINT_SOURCE_SHOP: source.url }, args);
  }
  const json = async <T>(...args: string[]): Promise<T> => {
    const { code, stdout, stderr } = await cli(...args, '--json');
    assert.equal(code, 0, `${args.join(' ')} failed: ${stderr}${stdout}`);
    return JSON.parse(stdout) as T;
  };
  /** Schedule listing is served by Temporal's visibility store, which catches up with writes shortly after. */
  async function listedIds(expected: readonly string[]): Promise<string[]> {
    let ids: string[] = [];
    for (let attempt = 0; attempt < 100; attempt++) {
      ids = (await json<ScheduleListing[]>('schedule', 'list')).map((s) => s.scheduleId);
      if (JSON.stringify(ids) === JSON.stringify(expected)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    return ids;
  }
  /** Triggers a schedule and waits for the workflow run it started. */
  async function triggerAndWait<T>(scheduleId: string): Promise<{ workflowId: string; result: T }> {
    await json('schedule', 'trigger', scheduleId);
    const handle = client.temporal.schedule.getHandle(scheduleId);
    for (;;) {
      const started = (await handle.describe()).info.recentActions.at(-1);
      if (started) return { workflowId: started.action.workflow.workflowId, result: (await client.temporal.workflow.getHandle(started.action.workflow.workflowId).result()) as T };
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  before(async () => {
    source = await scratchDatabase('schedule_src');
    await sql(source.url, 'create table orders (id int primary key, item text not null)', "insert into orders values (1, 'tea'), (2, 'cake')");
    world = await startTestWorld({ shop: source.url });
    await world.startWorker();
    client = await connectClient(world.config);
    catalog = openCatalog(world.config.catalog.url);
    fs.writeFileSync(policyFile, JSON.stringify({ keepLast: 7, gfs: { daily: 7, weekly: 4 } }));
  });

  after(async () => {
    await catalog?.destroy();
    await client?.close();
    await world?.close();
    await source?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('the same command twice leaves one schedule, updated in place, with overlap SKIP', async () => {
    const first = await json<{ created: boolean; scheduleId: string }>('schedule', 'retention', '--cron', '0 3 * * *', '--policy', policyFile);
    const second = await json<{ created: boolean; scheduleId: string }>('schedule', 'retention', '--cron', '30 4 * * *', '--policy', policyFile);
    assert.deepEqual([first, second].map((o) => [o.scheduleId, o.created]), [['restorepoint-retention', true], ['restorepoint-retention', false]]);
    assert.equal((await json<{ created: boolean }>('schedule', 'export', '--every', '1d', '--source', 'shop', '--to', `file://${folder}/exports`)).created, true);
    assert.equal((await json<{ created: boolean }>('schedule', 'export', '--every', '1h', '--source', 'shop', '--to', `file://${folder}/exports`, '--incremental')).created, true);
    assert.equal((await json<{ created: boolean }>('schedule', 'verify', '--every', '6h', '--level', 'checksums')).created, true);

    const ids = ['restorepoint-export-shop-full', 'restorepoint-export-shop-incremental', 'restorepoint-retention', 'restorepoint-verify-checksums'];
    assert.deepEqual(await listedIds(ids), ids);
    const described = await client.temporal.schedule.getHandle('restorepoint-retention').describe();
    assert.equal(described.policies.overlap, 'SKIP');
    assert.equal(described.state.note, `retention cron "30 4 * * *" UTC, policy from ${policyFile}`);
    assert.equal(described.action.workflowType, 'retentionWorkflow');
    const verify = await client.temporal.schedule.getHandle('restorepoint-verify-checksums').describe();
    assert.equal(verify.action.workflowType, 'scheduledVerificationWorkflow');
    assert.deepEqual(verify.action.args?.[0], { level: 'checksums', sampleOlder: 2, requestedBy: 'schedule:restorepoint-verify-checksums' });
    // The second argument is the schedule's service credential, which Temporal holds only encrypted.
    assert.equal(verify.action.args?.length, 2);
    const incremental = await client.temporal.schedule.getHandle('restorepoint-export-shop-incremental').describe();
    assert.equal((incremental.action.args?.[0] as { export: { mode: string } }).export.mode, 'incremental');
  });

  it('a verify schedule with --max-rate hands the cap to each run; a cap under 1 KiB is bad usage', async () => {
    assert.equal((await cli('schedule', 'verify', '--every', '1d', '--id', 'rp-verify-slow', '--max-rate', '100')).code, 2);
    await assert.rejects(client.temporal.schedule.getHandle('rp-verify-slow').describe());
    assert.equal((await json<{ created: boolean }>('schedule', 'verify', '--every', '1d', '--id', 'rp-verify-capped', '--max-rate', '50MB')).created, true);
    const capped = await client.temporal.schedule.getHandle('rp-verify-capped').describe();
    assert.equal((capped.action.args?.[0] as { maxBytesPerSecond?: number }).maxBytesPerSecond, 50 * 1024 * 1024);
    assert.equal((await json<{ deleted: boolean }>('schedule', 'delete', 'rp-verify-capped', '--confirm')).deleted, true);
  });

  it('bad timing, a policy that does not parse and an id of another kind are bad usage, and change nothing', async () => {
    assert.equal((await cli('schedule', 'retention')).code, 2);
    assert.equal((await cli('schedule', 'retention', '--cron', '0 3 * * *', '--every', '1d')).code, 2);
    assert.equal((await cli('schedule', 'verify', '--every', 'often')).code, 2);
    assert.equal((await cli('schedule', 'retention', '--id', 'rp-bad-cron', '--cron', '99 99 * * *')).code, 2);
    fs.writeFileSync(path.join(folder, 'bad.json'), JSON.stringify({ keepLast: -1 }));
    assert.equal((await cli('schedule', 'retention', '--cron', '0 3 * * *', '--policy', path.join(folder, 'bad.json'))).code, 2);
    const taken = await cli('schedule', 'verify', '--every', '1d', '--id', 'restorepoint-retention');
    assert.equal(taken.code, 2);
    assert.match(taken.stderr, /taken by a retention schedule/);
    assert.equal((await client.temporal.schedule.getHandle('restorepoint-retention').describe()).action.workflowType, 'retentionWorkflow');
  });

  it('a triggered retention schedule runs retention with its stored policy', async () => {
    const { workflowId, result } = await triggerAndWait<RetentionRunSummary>('restorepoint-retention');
    assert.match(workflowId, /^restorepoint-retention-/);
    const run = (await catalog('retention_runs').where({ id: result.planId }).first()) as { requested_by: string; policy: { keepLast: number }; dry_run: boolean; status: string };
    assert.deepEqual([run.requested_by, run.policy.keepLast, run.dry_run, run.status], ['schedule:restorepoint-retention', 7, false, 'finished']);
  });

  it('a triggered export schedule takes an export of its own', async () => {
    const { result } = await triggerAndWait<ExportSummary>('restorepoint-export-shop-full');
    assert.match(result.exportId, /^shop-\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    const row = (await catalog('exports').where({ id: result.exportId }).first()) as { status: string; requested_by: string; mode: string };
    assert.deepEqual([row.status, row.requested_by, row.mode], ['succeeded', 'schedule:restorepoint-export-shop-full', 'full']);
  });

  it('delete without --confirm says what it would delete and deletes nothing', async () => {
    const asked = await cli('schedule', 'delete', 'restorepoint-verify-checksums');
    assert.equal(asked.code, 0, asked.stderr);
    assert.match(asked.stdout, /would delete schedule restorepoint-verify-checksums: checksums verification every 6h, sampling 2 older .*\ndry run: nothing was changed; run again with --confirm/);
    const dry = await json<{ dryRun: boolean; deleted: boolean; schedule: { kind: string } | null }>('schedule', 'delete', 'restorepoint-verify-checksums');
    assert.deepEqual([dry.dryRun, dry.deleted, dry.schedule?.kind], [true, false, 'verify']);
    assert.match((await cli('schedule', 'delete', 'no-such-schedule')).stdout, /no schedule no-such-schedule/);
    await client.temporal.schedule.getHandle('restorepoint-verify-checksums').describe();
  });

  it('delete --confirm removes a schedule once; deleting it again says so', async () => {
    assert.equal((await json<{ deleted: boolean }>('schedule', 'delete', 'restorepoint-verify-checksums', '--confirm')).deleted, true);
    assert.equal((await json<{ deleted: boolean }>('schedule', 'delete', 'restorepoint-verify-checksums', '--confirm')).deleted, false);
    const left = ['restorepoint-export-shop-full', 'restorepoint-export-shop-incremental', 'restorepoint-retention'];
    assert.deepEqual(await listedIds(left), left);
  });
});
