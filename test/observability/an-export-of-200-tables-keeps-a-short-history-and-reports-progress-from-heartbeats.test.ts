import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import { startExport } from '../../client/exports';
import type { ExportProgress } from '../../core/export-progress';
import { exportWorld, sql, type ExportWorld } from '../export/harness';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';

const TABLES = 200;

/**
 * Progress used to be signalled into the workflow every two seconds, so history grew with the
 * export's duration. Now it rides on heartbeats: history grows with the activities a run
 * schedules (a handful), neither with its tables nor with its time.
 */
describe('an export of 200 tables keeps a short history and reports progress from heartbeats', () => {
  let db: ScratchDatabase;
  let w: ExportWorld;
  let folder: string;
  before(async () => {
    db = await scratchDatabase('history');
    const creates = Array.from({ length: TABLES }, (_, i) => `create table t${String(i).padStart(3, '0')} (id int primary key, note text); insert into t${String(i).padStart(3, '0')} select g, repeat('x', 20) from generate_series(1, 40) g;`);
    await sql(db.url, creates.join('\n'));
    w = await exportWorld({ src: db.url });
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-history-'));
  });
  after(async () => {
    await w?.close();
    await db?.drop();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it('sends no signal, keeps under 80 events (authorization, the scope check and the steps, none per second), and shows per-table figures while it runs', async (t) => {
    // Throttled (about 10 seconds of reading), so the run outlasts many heartbeats and the old signal interval.
    const handle = await startExport(w.client, { source: 'src', destination: `file://${folder}`, concurrency: 1, maxBytesPerSecond: 20 * 1024, requestedBy: 'test' });
    let running: ExportProgress | undefined;
    let finished = false;
    const result = handle.result().finally(() => (finished = true));
    while (!finished) {
      const progress = await handle.progress();
      if (progress.stage === 'copying' && progress.tables.some((t) => t.done)) running ??= progress;
      await new Promise((r) => setTimeout(r, 200));
    }
    const summary = await result;
    assert.equal(summary.tables, TABLES);
    assert.ok(running, 'progress showed tables done while the export ran');
    assert.equal(running.tables.length, TABLES);
    assert.equal((await handle.progress()).stage, 'finished');
    assert.equal((await handle.progress()).rows, TABLES * 40);

    const history = await w.client.temporal.workflow.getHandle(handle.workflowId).fetchHistory();
    const types = (history.events ?? []).map((e) => e.eventType);
    assert.equal(types.filter((t) => t === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED).length, 0, 'no signal entered the history');
    t.diagnostic(`${types.length} history events for ${TABLES} tables`);
    assert.ok(types.length < 80, `${types.length} events`);
  });
});
