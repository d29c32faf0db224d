import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listLedger } from '../../catalog/ledger';
import { openCatalog } from '../../catalog/catalog-db';
import type { RestorepointClient } from '../../client/connect';
import { startExport } from '../../client/exports';
import { startRestore } from '../../client/restores';
import type { Config } from '../../config/schema';
import { exportWorkflowId } from '../../core/export-input';
import type { ExportSummary } from '../../workflows/export-workflow';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { openStore } from '../../storage/open-store';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { assertNoOrphans, PrivateTemporal, waitFor, WorkerProcess } from './fault-world';
import { fillTables, ROWS, startWorkerProcessWorld, TABLES, type WorkerProcessWorld } from './worker-process-world';


/**
 * The Temporal server goes away mid-export (a dev server of this test's own, stopped and
 * started again on its port with its state kept) while the worker copies. The worker process
 * must live through the outage, and the export must finish by itself once the server is
 * back: exact rows, nothing orphaned, one `export.finished` in the ledger.
 */
describe('a Temporal outage mid-export is waited out and the export finishes exactly', () => {
  const temporal = new PrivateTemporal();
  let w: WorkerProcessWorld | undefined;
  let config: Config;
  let client: RestorepointClient;
  let worker: WorkerProcess;
  let source: ScratchDatabase;
  let target: ScratchDatabase;
  const destination = `gs://restorepoint-temporal-outage-${process.pid}/t`;

  before(async () => {
    source = await scratchDatabase('outage_src');
    target = await scratchDatabase('outage_dst');
    await fillTables(source.url);
    await temporal.start();
    // The world's catalog, sources and identity; its Temporal is this test's own server.
    w = await startWorkerProcessWorld({ src: source.url, dst: target.url }, (c) => ({ ...c, temporal: { ...c.temporal, address: temporal.address } }));
    ({ config, client, worker } = w);
  });

  after(async () => {
    await w?.close();
    await temporal.remove();
    await source?.drop();
    await target?.drop();
  });

  it('stopped mid-copy and started again: the worker lives, the export finishes with exact rows', async () => {
    const exportId = 'temporal-outage';
    // One table at a time, slowly (about 6 MB at 500 kB/s), so the outage lands mid-copy.
    const handle = await startExport(client, { exportId, source: 'src', destination, tables: TABLES, concurrency: 1, maxBytesPerSecond: 500 * 1024, requestedBy: 'test' });
    await waitFor('a stored part', async () => (await handle.progress()).tables.some((t) => t.rows > 0));
    await temporal.stop();
    // Heartbeats and polls fail meanwhile; the copy goes on.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    worker.assertAlive('with the Temporal server down');
    await temporal.start();
    // The client's own long poll may have failed with the server: ask again until it answers.
    const summary = await waitFor('the export result', () => client.temporal.workflow.getHandle(exportWorkflowId(exportId)).result() as Promise<ExportSummary>, 180_000);
    assert.equal(summary.rows, TABLES.length * ROWS);
    worker.assertAlive('after the Temporal server came back');
    await assertNoOrphans(openStore(destination, config.gcs), exportId);
    await (await startRestore(client, { exportId, target: 'dst', requestedBy: 'test' })).result();
    assert.deepEqual(await databaseFingerprint(target.url), await databaseFingerprint(source.url));
    const catalog = openCatalog(config.catalog.url);
    try {
      const actions = (await listLedger(catalog, { subject: exportId })).map((e) => e.action).filter((a) => a.startsWith('export.'));
      assert.deepEqual(actions, ['export.requested', 'export.started', 'export.finished']);
    } finally {
      await catalog.destroy();
    }
  });
});
