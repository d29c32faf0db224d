import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { startExport } from '../../client/exports';
import type { Config } from '../../config/schema';
import { manifestSchema } from '../../core/manifest';
import { objectNames } from '../../core/object-names';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { assertNoOrphans, query, waitFor, WorkerProcess } from '../faults/fault-world';
import { exportWorld, sql, type ExportWorld } from './harness';

/** Enough rows that a table in 12 ranges keeps three workers busy for a while; small enough to generate and restore in a test. */
const ROWS = Number(process.env.RESTOREPOINT_TEST_SCALE_ROWS ?? 1_200_000);
const RANGES = 12;

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/** The worker identity of every finished attempt of `activity`, from the workflow's history. */
function identitiesThatFinished(history: History, activity: string): string[] {
  const events = history.events ?? [];
  const scheduled = new Map(events.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes!.activityType?.name]));
  const started = new Map(events.filter((e) => e.activityTaskStartedEventAttributes).map((e) => [String(e.eventId), e.activityTaskStartedEventAttributes!]));
  return events
    .filter((e) => e.activityTaskCompletedEventAttributes && scheduled.get(String(e.activityTaskCompletedEventAttributes.scheduledEventId)) === activity)
    .map((e) => started.get(String(e.activityTaskCompletedEventAttributes!.startedEventId))?.identity ?? '');
}

/**
 * Issue 16 item 3. Three worker processes poll one task queue; a table of 1.2M rows splits into
 * 12 ctid ranges, each an activity of its own. The export's data activity holds the snapshot the
 * ranges join. Once every worker has finished a range, the worker holding the snapshot is killed
 * (SIGKILL): the ranges can no longer join that snapshot, so the holder's retry on a surviving
 * worker exports a new one, the workflow reads every range again under it (keeping the parts
 * whose rows fingerprint the same), and the export is exact, with no duplicate or orphaned part.
 * Then a worker that only reads a range is killed: the snapshot holds, so another worker takes
 * the range over under the same snapshot, after its last stored part.
 */
describe('three workers share one table in ranges, and one is killed', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  let target: ScratchDatabase;
  const workers: WorkerProcess[] = [];
  let firstFingerprint: unknown;
  const destination = `gs://restorepoint-three-workers-${process.pid}/x`;

  before(async () => {
    source = await scratchDatabase('threeworkers');
    target = await scratchDatabase('threeworkers_dst');
    await sql(
      source.url,
      `create table big (id bigint primary key, n int not null, note text)`,
      `insert into big select g, g % 1000, case when g % 97 = 0 then e'two\\nlines, "quoted"' else md5(g::text) end from generate_series(1, ${ROWS}) g`,
      `create table small (id int primary key, label text)`,
      `insert into small select g, 's' || g from generate_series(1, 50) g`,
      `analyze big`,
    );
    // The split threshold lowered through the workers' config: every table of at least one page is read in ranges, as activities.
    w = await exportWorld({ src: source.url, dst: target.url }, { partSizeBytes: 2 * 1024 * 1024, split: { minBytes: 64 * 1024, ranges: RANGES, acrossWorkers: true } }, { worker: false });
    // Three slots each: nine for one holder and twelve ranges, so no worker can take them all.
    const config: Config = { ...w.world.config, worker: { ...w.world.config.worker, maxConcurrentActivities: 3 } };
    workers.push(...(await Promise.all([0, 1, 2].map(() => WorkerProcess.start(config)))));
  });
  after(async () => {
    for (const worker of workers) await worker.kill();
    await w?.close();
    await source?.drop();
    await target?.drop();
  });

  it('each worker reads part of the table; the worker holding the snapshot is killed mid-way; the export is exact', async () => {
    const exportId = 'three-workers-1';
    const handle = await startExport(w.client, { exportId, source: 'src', destination, concurrency: 2, maxBytesPerSecond: 6 * 1024 * 1024, requestedBy: 'test' });
    const workflow = w.client.temporal.workflow.getHandle(handle.workflowId);
    const identity = (worker: WorkerProcess) => `${worker.pid}@${os.hostname()}`;

    // Mid-way: every worker has finished a range, and ranges are still to read.
    await waitFor('every worker to finish a range while others are left', async () => {
      const finished = identitiesThatFinished(await workflow.fetchHistory(), 'exportRange');
      return workers.every((worker) => finished.includes(identity(worker))) && finished.length < RANGES;
    }, 600_000);
    const holder = (await workflow.describe()).raw.pendingActivities?.find((a) => a.activityType?.name === 'exportData')?.lastWorkerIdentity;
    const victim = workers.find((worker) => identity(worker) === holder);
    assert.ok(victim, `the snapshot holder runs on one of the three workers (${holder})`);
    await victim.kill();

    const summary = await handle.result();
    assert.equal(summary.rows, ROWS + 50);
    const history = await workflow.fetchHistory();
    const events = history.events ?? [];
    // Two plans: the dead holder's snapshot, then its retry's.
    const plans = events.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'exportRangesPlanned').length;
    assert.ok(plans >= 2, `plans signalled: ${plans}`);
    const holderScheduled = new Set(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'exportData').map((e) => String(e.eventId)));
    const holderAttempts = events.filter((e) => holderScheduled.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId))).map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 0);
    assert.ok(holderAttempts.some((a) => a >= 2), `the holder was retried after its worker died: attempts ${JSON.stringify(holderAttempts)}`);
    const finishedBy = new Set(identitiesThatFinished(history, 'exportRange'));
    for (const worker of workers) assert.ok(finishedBy.has(identity(worker)), `worker ${identity(worker)} finished no range`);

    // The manifest keeps the ranges' order; every part is stored once, and nothing else is left.
    const store = w.store(destination);
    const manifest = manifestSchema.parse(JSON.parse((await store.getBytes(objectNames.manifest(exportId))).toString('utf8')));
    const big = manifest.tables.find((t) => t.name === 'big')!;
    assert.deepEqual(big.parts.map((p) => p.partNo), big.parts.map((_, i) => i));
    const rangeOf = (key: string) => Number(/range-(\d+)-part-/.exec(key)![1]);
    assert.deepEqual(big.parts.map((p) => rangeOf(p.key)), big.parts.map((p) => rangeOf(p.key)).sort((a, b) => a - b));
    assert.equal(new Set(big.parts.map((p) => rangeOf(p.key))).size, RANGES);
    assert.equal(new Set(big.parts.map((p) => p.key)).size, big.parts.length, 'a part listed twice');
    await assertNoOrphans(store, exportId);
    const catalogued = await query<{ object_key: string }>(w.world.config.catalog.url, 'select object_key from export_files where export_id = $1', [exportId]);
    assert.deepEqual(catalogued.map((r) => r.object_key).sort(), manifest.tables.flatMap((t) => t.parts.map((p) => p.key)).sort());

    await w.restoreNow({ exportId, target: 'dst' });
    assert.deepEqual(await databaseFingerprint(target.url), await databaseFingerprint(source.url));
    firstFingerprint = big.fingerprint;
  });

  it('a worker killed while reading a range: another takes the range over under the same snapshot', async () => {
    // Three workers again: a fresh one in the killed one's place.
    const config: Config = { ...w.world.config, worker: { ...w.world.config.worker, maxConcurrentActivities: 3 } };
    workers.splice(workers.findIndex((worker) => !worker.alive), 1, await WorkerProcess.start(config));
    const exportId = 'three-workers-2';
    const handle = await startExport(w.client, { exportId, source: 'src', destination, concurrency: 2, maxBytesPerSecond: 6 * 1024 * 1024, requestedBy: 'test' });
    const workflow = w.client.temporal.workflow.getHandle(handle.workflowId);
    const identity = (worker: WorkerProcess) => `${worker.pid}@${os.hostname()}`;

    // A worker that is reading a range (it started one and sent a heartbeat) and does not hold the snapshot.
    const victim = await waitFor('a range being read by a worker that does not hold the snapshot', async () => {
      const pending = (await workflow.describe()).raw.pendingActivities ?? [];
      const holder = pending.find((a) => a.activityType?.name === 'exportData')?.lastWorkerIdentity;
      const reading = pending.filter((a) => a.activityType?.name === 'exportRange' && a.lastHeartbeatTime && a.lastWorkerIdentity !== holder).map((a) => a.lastWorkerIdentity);
      return holder ? workers.find((worker) => reading.includes(identity(worker))) : undefined;
    }, 600_000);
    await victim.kill();

    const summary = await handle.result();
    assert.equal(summary.rows, ROWS + 50);
    const events = (await workflow.fetchHistory()).events ?? [];
    assert.equal(events.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'exportRangesPlanned').length, 1, 'the snapshot held: one plan');
    const rangeScheduled = new Set(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'exportRange').map((e) => String(e.eventId)));
    const rangeAttempts = events.filter((e) => rangeScheduled.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId))).map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 0);
    assert.equal(rangeAttempts.length, RANGES);
    assert.ok(rangeAttempts.some((a) => a >= 2), `a range was taken over after its worker died: attempts ${JSON.stringify(rangeAttempts)}`);

    // The same rows as the first export, by fingerprint; nothing stored twice or left over.
    const store = w.store(destination);
    const manifest = manifestSchema.parse(JSON.parse((await store.getBytes(objectNames.manifest(exportId))).toString('utf8')));
    assert.deepEqual(manifest.tables.find((t) => t.name === 'big')!.fingerprint, firstFingerprint);
    await assertNoOrphans(store, exportId);
  });
});
