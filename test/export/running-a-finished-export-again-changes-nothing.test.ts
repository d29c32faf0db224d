import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listLedger } from '../../catalog/ledger';
import { openCatalog } from '../../catalog/catalog-db';
import { exportInputSchema, exportWorkflowId } from '../../core/export-input';
import { startExport } from '../../client/exports';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { exportWorld, sql, type ExportWorld } from './harness';

/**
 * The export id is the idempotency key: starting it again through the client joins the
 * first (closed) run, and even a second workflow run forced past the client finds the
 * export finished and returns its result without a new snapshot, object or ledger entry.
 */
describe('running a finished export again changes nothing', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  const destination = `gs://restorepoint-again-${process.pid}/x`;
  const exportId = 'again-1';

  before(async () => {
    source = await scratchDatabase('again');
    await sql(source.url, 'create table t (id int primary key, v text)', `insert into t select g, md5(g::text) from generate_series(1, 5000) g`);
    w = await exportWorld({ src: source.url }, { partSizeBytes: 32 * 1024 });
  });
  after(async () => {
    await w?.close();
    await source?.drop();
  });

  async function storedObjects(): Promise<string[]> {
    const out: string[] = [];
    for await (const o of w.store(destination).list(`${exportId}/`)) out.push(`${o.key} ${o.size} ${o.generation}`);
    return out;
  }

  async function ledgerActions(): Promise<string[]> {
    const catalog = openCatalog(w.world.config.catalog.url);
    try {
      // Each run's authorization is its own entry (auth.granted); what the export did is the rest.
      return (await listLedger(catalog, { subject: exportId })).map((e) => e.action).filter((action) => !action.startsWith('auth.'));
    } finally {
      await catalog.destroy();
    }
  }

  it('same manifest, same objects (same generations), one workflow run, no new ledger entries', async () => {
    const request = { exportId, source: 'src', destination, requestedBy: 'test' };
    const first = await (await startExport(w.client, request)).result();
    const objects = await storedObjects();
    const manifest = await w.store(destination).getBytes(`${exportId}/manifest.json`);
    const actions = await ledgerActions();
    const workflow = w.client.temporal.workflow.getHandle(exportWorkflowId(exportId));
    const { runId } = await workflow.describe();
    assert.ok(first.parts >= 3, `${first.parts} parts`);
    assert.deepEqual(actions, ['export.requested', 'export.started', 'export.finished']);

    // The source changes: an export that really ran again would store other rows.
    await sql(source.url, `insert into t select g, 'later' from generate_series(5001, 6000) g`, `update t set v = 'changed' where id <= 100`);
    const again = await (await startExport(w.client, request)).result();
    assert.deepEqual(again, first);
    assert.equal((await workflow.describe()).runId, runId, 'the client started a second run');

    const forced = w.client.temporal.workflow.start('exportWorkflow', {
      taskQueue: w.client.taskQueue,
      workflowId: exportWorkflowId(exportId),
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      args: [exportInputSchema.parse(request), { credential: await w.client.credential() }],
    });
    assert.deepEqual(await (await forced).result(), first);

    assert.deepEqual(await storedObjects(), objects);
    assert.deepEqual(await w.store(destination).getBytes(`${exportId}/manifest.json`), manifest);
    assert.deepEqual(await ledgerActions(), actions);
  });
});
