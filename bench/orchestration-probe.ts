/**
 * Times the orchestration around small exports on a Temporal dev server and catalog of its
 * own (the shared benchmark's databases are rebuilt by whoever runs it): Pagila full exports
 * and incremental exports after 1,000 changes, each split by its history's event times into
 * the client's part before the start, the first workflow task, the steps before the data
 * activity, the data activity, the steps after it, and the wait for the result.
 *
 *   node --import tsx bench/orchestration-probe.ts [runs]
 *
 * Prints one JSON line per export and the medians last. Not a test: it asserts nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { temporal } from '@temporalio/proto';
import pg from 'pg';
import { connectClient } from '../client/connect';
import { startExport } from '../client/exports';
import { exportWorkflowId } from '../core/export-input';
import { trackTables } from '../trail';
import { pagilaDatabase } from '../test/support/pagila';
import { scratchDatabase } from '../test/support/stack';
import { startTestWorld } from '../test/support/temporal';
import { median } from './measurement';

type Event = temporal.api.history.v1.IHistoryEvent;

const ms = (e: Event | undefined): number => (e?.eventTime ? Number(e.eventTime.seconds) * 1000 + Math.floor((e.eventTime.nanos ?? 0) / 1e6) : NaN);

/** The event times of one run, as durations in ms. */
function split(events: readonly Event[], clientStart: number, clientEnd: number) {
  const scheduledData = events.find((e) => ['exportData', 'exportDelta'].includes(e.activityTaskScheduledEventAttributes?.activityType?.name ?? ''));
  const dataDone = events.find((e) => e.activityTaskCompletedEventAttributes && String(e.activityTaskCompletedEventAttributes.scheduledEventId) === String(scheduledData?.eventId));
  const started = events[0];
  const firstTaskDone = events.find((e) => e.workflowTaskCompletedEventAttributes);
  const completed = events.at(-1);
  return {
    clientBeforeStart: ms(started) - clientStart,
    firstWorkflowTask: ms(firstTaskDone) - ms(started),
    beforeData: ms(scheduledData) - ms(firstTaskDone),
    data: ms(dataDone) - ms(scheduledData),
    afterData: ms(completed) - ms(dataDone),
    resultWait: clientEnd - ms(completed),
    wall: clientEnd - clientStart,
    events: events.length,
    activityTasks: events.filter((e) => e.activityTaskScheduledEventAttributes).length,
    markers: events.filter((e) => e.markerRecordedEventAttributes).length,
    workflowTasks: events.filter((e) => e.workflowTaskCompletedEventAttributes).length,
  };
}

async function main(runs: number): Promise<void> {
  const pagila = await pagilaDatabase('probe_pagila');
  const delta = await scratchDatabase('probe_delta');
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-probe-'));
  const world = await startTestWorld({ pagila: pagila.url, delta: delta.url });
  const db = new pg.Client({ connectionString: delta.url });
  await db.connect();
  try {
    await db.query('create table item (id int primary key, quantity int not null, name text not null); insert into item select g, g % 100, md5(g::text) from generate_series(1, 200000) g');
    await trackTables(db, ['public.item']);
    await world.startWorker();
    const client = await connectClient(world.config);
    const timed = async (label: string, options: Parameters<typeof startExport>[1]) => {
      const cpu = process.cpuUsage();
      const t0 = Date.now();
      const handle = await startExport(client, options);
      const summary = await handle.result();
      const t1 = Date.now();
      const used = process.cpuUsage(cpu);
      const history = await client.temporal.workflow.getHandle(exportWorkflowId(handle.exportId)).fetchHistory();
      return { label, ...split(history.events ?? [], t0, t1), cpuMs: Math.round((used.user + used.system) / 1000), exportId: summary.exportId };
    };
    // Warm-up, not counted: the worker's first workflow task builds its context.
    const base = await timed('warm-up', { source: 'delta', destination: `file://${folder}/delta`, requestedBy: 'probe' });
    let parent = base.exportId;
    const rows: Record<string, Record<string, number | string>[]> = { pagila: [], incremental: [] };
    for (let run = 0; run < runs; run += 1) {
      const full = await timed('pagila', { source: 'pagila', destination: `file://${folder}/pagila-${run}`, requestedBy: 'probe' });
      process.stdout.write(`${JSON.stringify(full)}\n`);
      rows.pagila!.push(full);
      await db.query('update item set quantity = quantity + 1 where id between $1 and $2', [run * 1000 + 1, run * 1000 + 1000]);
      const incremental = await timed('incremental-1k', { source: 'delta', destination: `file://${folder}/delta`, mode: 'incremental', parentExportId: parent, requestedBy: 'probe' });
      parent = incremental.exportId;
      process.stdout.write(`${JSON.stringify(incremental)}\n`);
      rows.incremental!.push(incremental);
    }
    for (const [label, list] of Object.entries(rows)) {
      const keys = Object.keys(list[0]!).filter((k) => typeof list[0]![k] === 'number');
      process.stdout.write(`median ${label}: ${JSON.stringify(Object.fromEntries(keys.map((k) => [k, median(list.map((r) => Number(r[k])))])))}\n`);
    }
    await client.close();
  } finally {
    await db.end();
    await world.close();
    await pagila.drop();
    await delta.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

main(Number(process.argv[2] ?? 7)).catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
