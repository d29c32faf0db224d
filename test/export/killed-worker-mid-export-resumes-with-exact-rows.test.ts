import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listLedger } from '../../catalog/ledger';
import { openCatalog } from '../../catalog/catalog-db';
import { startExport } from '../../client/exports';
import { objectNames } from '../../core/object-names';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { plaintextOf } from '../support/stored-plaintext';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { WorkerProcess } from '../faults/fault-world';
import { exportWorld, sql, type ExportWorld } from './harness';

const TABLES = ['t1', 't2', 't3', 't4'];
const ROWS = 20000;

/**
 * SIGKILL is a crash: no shutdown, no failed activity reported. Temporal notices the missing
 * heartbeats and gives the activity to the next worker, whose attempt resumes from the last
 * checkpoint: tables finished before the crash (and unchanged since) keep their stored parts,
 * and the table being copied keeps its finished parts once the new snapshot's first rows
 * fingerprint the same; the rest is read under the new snapshot.
 */
describe('a worker killed mid-export: a new worker finishes it with exact rows, resuming', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  let target: ScratchDatabase;
  let child: WorkerProcess | undefined;
  const destination = `gs://restorepoint-killed-${process.pid}/x`;

  before(async () => {
    source = await scratchDatabase('killed');
    target = await scratchDatabase('killed_dst');
    for (const t of TABLES) await sql(source.url, `create table ${t} (id int primary key, v text)`, `insert into ${t} select g, md5(g::text) || md5((-g)::text) from generate_series(1, ${ROWS}) g`);
    w = await exportWorld({ src: source.url, dst: target.url }, { partSizeBytes: 64 * 1024 }, { worker: false });
  });
  after(async () => {
    await child?.kill();
    await w?.close();
    await source?.drop();
    await target?.drop();
  });

  /** Starts an export on a worker process and SIGKILLs it once one table is finished and another is mid-copy. */
  async function crashMidExport(exportId: string) {
    // Only the worker about to be killed may run the export.
    await child?.kill();
    child = await WorkerProcess.start(w.world.config);
    // One table at a time, slowly (about 4 MB at 700 kB/s), so the crash lands mid-export.
    const handle = await startExport(w.client, { exportId, source: 'src', destination, concurrency: 1, maxBytesPerSecond: 700 * 1024, requestedBy: 'test' });

    let finishedTable: string | undefined;
    while (!finishedTable) {
      const progress = await handle.progress();
      const done = progress.tables.filter((t) => t.done);
      if (done.length > 0 && done.length < TABLES.length) finishedTable = done[0]!.table;
      else if (done.length === TABLES.length) assert.fail('the export finished before the worker could be killed');
      else await new Promise((r) => setTimeout(r, 200));
    }
    const name = finishedTable.split('.')[1]!;
    const store = w.store(destination);
    const keptBefore: string[] = [];
    for await (const o of store.list(objectNames.tableFolder(exportId, 'public', name))) keptBefore.push(`${o.key} ${o.generation}`);
    assert.ok(keptBefore.length >= 3, `${keptBefore.length} parts`);
    // Kill only once the next table has stored a part (the checkpoint follows every part),
    // so the crash lands mid-table rather than between tables.
    // The checkpoint is encrypted like every stored object.
    const storedCheckpoint = async () => plaintextOf(w.world.config, exportId, `${exportId}/checkpoint.json`, await store.getBytes(`${exportId}/checkpoint.json`));
    const midTable = async () => {
      const stat = await store.stat(`${exportId}/checkpoint.json`);
      if (!stat) return false;
      const saved = JSON.parse((await storedCheckpoint()).toString('utf8')) as { tables: Record<string, { parts: unknown[]; complete: boolean }> };
      return Object.values(saved.tables).some((t) => !t.complete && t.parts.length > 0);
    };
    for (const giveUp = Date.now() + 60_000; !(await midTable()); ) {
      if (Date.now() > giveUp) assert.fail('no table was ever caught mid-copy');
      await new Promise((r) => setTimeout(r, 50));
    }

    await child.kill();
    // The table being copied at the crash: the parts the dead worker had finished.
    const checkpoint = JSON.parse((await storedCheckpoint()).toString('utf8')) as { tables: Record<string, { parts: { key: string }[]; complete: boolean }> };
    const unfinished = Object.values(checkpoint.tables).find((t) => !t.complete && t.parts.length > 0);
    assert.ok(unfinished, `no table was mid-copy at the crash: ${JSON.stringify(checkpoint)}`);
    const partialBefore = await Promise.all(unfinished.parts.map(async (p) => `${p.key} ${(await store.stat(p.key))!.generation}`));
    return { handle, store, name, keptBefore, unfinished, partialBefore };
  }

  it('finishes with exact row counts and valid checksums, keeping the parts finished before the crash', async () => {
    const exportId = 'killed-1';
    const { handle, store, name, keptBefore, unfinished, partialBefore } = await crashMidExport(exportId);
    child = await WorkerProcess.start(w.world.config);

    const summary = await handle.result();
    assert.equal(summary.rows, TABLES.length * ROWS);
    assert.equal(summary.tables, TABLES.length);

    // Resumed, not restarted: the first attempt's finished table was not written again.
    const keptAfter: string[] = [];
    for await (const o of store.list(objectNames.tableFolder(exportId, 'public', name))) keptAfter.push(`${o.key} ${o.generation}`);
    assert.deepEqual(keptAfter, keptBefore);
    // ...and the table that was mid-copy resumed after its last stored part (its first rows fingerprinted the same).
    const partialAfter = await Promise.all(unfinished.parts.map(async (p) => `${p.key} ${(await store.stat(p.key))!.generation}`));
    assert.deepEqual(partialAfter, partialBefore);
    assert.equal(await store.stat(`${exportId}/checkpoint.json`), undefined, 'the checkpoint outlived the manifest');
    const history = await w.client.temporal.workflow.getHandle(handle.workflowId).fetchHistory();
    const attempts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt);
    assert.ok(attempts.some((a) => (a ?? 0) >= 2), `activity attempts ${JSON.stringify(attempts)}`);

    // Valid checksums and exact rows: the restore checks every part and the data must be equal.
    await w.restoreNow({ exportId, target: 'dst' });
    assert.deepEqual(await databaseFingerprint(target.url), await databaseFingerprint(source.url));

    const catalog = openCatalog(w.world.config.catalog.url);
    try {
      const actions = (await listLedger(catalog, { subject: exportId })).map((e) => e.action);
      assert.deepEqual(actions.filter((a) => a.startsWith('export.')), ['export.requested', 'export.started', 'export.finished']);
    } finally {
      await catalog.destroy();
    }
  });

  it('a table whose first rows changed while no worker ran is copied again from its first row, on a new connection', async () => {
    const exportId = 'killed-2';
    const { handle, store, unfinished, partialBefore } = await crashMidExport(exportId);
    const table = unfinished.parts[0]!.key.split('/')[2]!.split('.')[1]!;
    await sql(source.url, `update ${table} set v = 'changed after the crash' where id = 1`);
    child = await WorkerProcess.start(w.world.config);

    const summary = await handle.result();
    assert.equal(summary.rows, TABLES.length * ROWS);
    const partialAfter = await Promise.all(unfinished.parts.map(async (p) => `${p.key} ${(await store.stat(p.key))!.generation}`));
    assert.notDeepEqual(partialAfter, partialBefore, `${table} was not copied again`);
    await sql(target.url, 'drop schema public cascade', 'create schema public');
    await w.restoreNow({ exportId, target: 'dst' });
    assert.deepEqual(await databaseFingerprint(target.url), await databaseFingerprint(source.url));
  });
});
