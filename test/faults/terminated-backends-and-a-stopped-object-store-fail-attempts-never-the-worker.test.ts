import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RestorepointClient } from '../../client/connect';
import { startExport } from '../../client/exports';
import { startRestore } from '../../client/restores';
import type { Config } from '../../config/schema';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { openStore } from '../../storage/open-store';
import { sql } from '../export/harness';
import { scratchDatabase, testStack, type ScratchDatabase } from '../support/stack';
import { assertNoOrphans, backends, PrivateObjectStore, terminate, waitFor, WorkerProcess } from './fault-world';
import { fillTables, ROWS, startWorkerProcessWorld, TABLES, type WorkerProcessWorld } from './worker-process-world';

const BIG_ROWS = 300_000;

/**
 * Incident (issue 18): terminating the export's PostgreSQL backend crashed the whole worker
 * process (`Unhandled 'error' event: Connection terminated`) and the export stayed "running".
 * Faults of the services a worker talks to must fail or retry the activity, never the
 * process, and the work must finish by itself once the service is back: exact rows (the
 * restored copy fingerprints as the source), nothing orphaned in the store.
 */
describe('terminated backends and a stopped object store fail attempts, never the worker', () => {
  let w: WorkerProcessWorld | undefined;
  let client: RestorepointClient;
  let config: Config;
  let worker: WorkerProcess;
  let source: ScratchDatabase;
  let targets: ScratchDatabase[] = [];
  const gcs = new PrivateObjectStore();
  const destination = `gs://restorepoint-faults-${process.pid}/f`;
  const adminUrl = () => testStack().postgres.adminUrl;

  before(async () => {
    source = await scratchDatabase('faults_src');
    await fillTables(source.url);
    await sql(source.url, 'create table big (id int primary key, v text)', `insert into big select g, md5(g::text) from generate_series(1, ${BIG_ROWS}) g`);
    await gcs.start();
    w = await startWorkerProcessWorld({ src: source.url }, (c) => ({ ...c, gcs: { ...c.gcs, emulatorHost: gcs.url } }));
    ({ config, client, worker } = w);
  });

  after(async () => {
    await w?.close();
    await gcs.remove();
    await source?.drop();
    for (const t of targets) await t.drop();
  });

  /** A fresh target database, known to the worker as `local:<name>`. */
  async function freshTarget(): Promise<string> {
    const db = await scratchDatabase('faults_dst');
    targets.push(db);
    return db.name;
  }

  /** Restores `exportId` into a fresh database and checks it holds exactly the source's rows of `tables`. */
  async function assertExactRestore(exportId: string, tables: readonly string[]): Promise<void> {
    const name = await freshTarget();
    await (await startRestore(client, { exportId, target: `local:${name}`, requestedBy: 'test' })).result();
    await assertSameRows(targets.at(-1)!.url, tables);
  }

  /** The tables' rows fingerprint as the source's (the stored DDL creates the schema's other tables, empty). */
  async function assertSameRows(url: string, tables: readonly string[]): Promise<void> {
    const only = (all: Record<string, string>) => Object.fromEntries(Object.entries(all).filter(([key]) => tables.some((t) => key === `table public.${t}`)));
    assert.deepEqual(only(await databaseFingerprint(url)), only(await databaseFingerprint(source.url)));
  }

  function slowExport(exportId: string) {
    // One table at a time, slowly (about 4 MB at 700 kB/s), so faults land mid-copy.
    return startExport(client, { exportId, source: 'src', destination, tables: TABLES, concurrency: 1, maxBytesPerSecond: 700 * 1024, requestedBy: 'test' });
  }

  it('export: its COPY and snapshot backends terminated mid-copy; the worker lives and the export finishes exactly', async () => {
    const exportId = 'faults-export-terminated';
    const handle = await slowExport(exportId);
    const pids = await waitFor('an export COPY in flight', async () => {
      const copying = await backends(adminUrl(), source.name, 'restorepoint-export', 'copy%');
      return copying.length > 0 ? [...copying, ...(await backends(adminUrl(), source.name, 'restorepoint-snapshot'))] : undefined;
    });
    assert.ok((await terminate(adminUrl(), pids)) >= 2, 'the COPY and snapshot backends were not both ended');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    worker.assertAlive('after pg_terminate_backend of the export');
    const summary = await handle.result();
    assert.equal(summary.rows, TABLES.length * ROWS);
    worker.assertAlive('after the export');
    await assertNoOrphans(openStore(destination, config.gcs), exportId);
    await assertExactRestore(exportId, TABLES);
  });

  it('restore: its backend terminated mid-load; the worker lives, the attempt rolls back and the retry loads every row once', async () => {
    const exportId = 'faults-restore-terminated';
    await (await startExport(client, { exportId, source: 'src', destination, tables: ['big'], requestedBy: 'test' })).result();
    const name = await freshTarget();
    const restore = await startRestore(client, { exportId, target: `local:${name}`, requestedBy: 'test' });
    const pids = await waitFor('a restore COPY in flight', async () => {
      const loading = await backends(adminUrl(), name, 'restorepoint-restore', 'copy%');
      return loading.length > 0 ? loading : undefined;
    });
    assert.equal(await terminate(adminUrl(), pids), 1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    worker.assertAlive('after pg_terminate_backend of the restore');
    const summary = await restore.result();
    assert.equal(summary.rows, BIG_ROWS);
    const counted = await sql<{ n: string; d: string }>(targets.at(-1)!.url, 'select count(*)::text as n, count(distinct id)::text as d from big');
    assert.deepEqual(counted[0], { n: String(BIG_ROWS), d: String(BIG_ROWS) });
    await assertSameRows(targets.at(-1)!.url, ['big']);
    worker.assertAlive('after the restore');
  });

  it('object store stopped mid-export and started again on its port: the worker lives and the export resumes to exact rows', async () => {
    const exportId = 'faults-export-store-outage';
    const handle = await slowExport(exportId);
    await waitFor('a stored part', async () => (await handle.progress()).tables.some((t) => t.rows > 0));
    await gcs.stop();
    // Long enough for attempts to fail against a closed port and back off.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    worker.assertAlive('with the object store down');
    await gcs.start();
    const summary = await handle.result();
    assert.equal(summary.rows, TABLES.length * ROWS);
    worker.assertAlive('after the object store came back');
    await assertNoOrphans(openStore(destination, config.gcs), exportId);
    await assertExactRestore(exportId, TABLES);
  });

  it('object store stopped mid-restore and started again: the restore retries and loads every row once', async () => {
    const exportId = 'faults-restore-terminated';
    const name = await freshTarget();
    await gcs.stop();
    const restore = await startRestore(client, { exportId, target: `local:${name}`, requestedBy: 'test' });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    worker.assertAlive('restoring with the object store down');
    await gcs.start();
    const summary = await restore.result();
    assert.equal(summary.rows, BIG_ROWS);
    await assertSameRows(targets.at(-1)!.url, ['big']);
    worker.assertAlive('after the object store came back');
  });
});
