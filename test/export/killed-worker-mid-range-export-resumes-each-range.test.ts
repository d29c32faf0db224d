import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startExport } from '../../client/exports';
import { manifestSchema } from '../../core/manifest';
import { objectNames } from '../../core/object-names';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { exportWorld, sql, type ExportWorld } from './harness';
import { WorkerProcess } from '../faults/fault-world';
import { plaintextOf } from '../support/stored-plaintext';

const ROWS = 40000;
type Checkpoint = { tables: Record<string, { parts: { key: string }[]; complete: boolean }> };

/**
 * A worker reading one table in three page ranges is killed once every range has stored parts.
 * The next worker's attempt (a new snapshot: the old one died with its connection) keeps each
 * range's stored parts, since the range's first rows fingerprint the same, and reads the rest:
 * the export is exact, with no part written twice and none left over.
 */
describe('a worker killed mid-way through a table read in ranges: the retry resumes each range', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  let target: ScratchDatabase;
  let child: WorkerProcess | undefined;
  const destination = `gs://restorepoint-killed-ranges-${process.pid}/x`;

  before(async () => {
    source = await scratchDatabase('killranges');
    target = await scratchDatabase('killranges_dst');
    await sql(source.url, `create table big (id int primary key, v text)`, `insert into big select g, md5(g::text) || md5((-g)::text) from generate_series(1, ${ROWS}) g`);
    w = await exportWorld({ src: source.url, dst: target.url }, { partSizeBytes: 64 * 1024 }, { worker: false });
  });
  after(async () => {
    await child?.kill();
    await w?.close();
    await source?.drop();
    await target?.drop();
  });

  it('finishes exactly, keeping the parts each range stored before the crash', async () => {
    const exportId = 'killed-ranges-1';
    const store = w.store(destination);
    child = await WorkerProcess.start(w.world.config);
    // About 3 MB at 600 kB/s across the three readers, so the crash lands mid-table.
    const handle = await startExport(w.client, { exportId, source: 'src', destination, concurrency: 3, maxBytesPerSecond: 600 * 1024, split: { minBytes: 0, ranges: 3 }, requestedBy: 'test' });

    const checkpointKey = `${exportId}/checkpoint.json`;
    const readCheckpoint = async (): Promise<Checkpoint | undefined> =>
      (await store.stat(checkpointKey)) ? (JSON.parse((await plaintextOf(w.world.config, exportId, checkpointKey, await store.getBytes(checkpointKey))).toString('utf8')) as Checkpoint) : undefined;
    const everyRangeStarted = (c: Checkpoint | undefined) => {
      const ranges = Object.entries(c?.tables ?? {}).filter(([key]) => key.includes('#range-'));
      return ranges.length === 3 && ranges.every(([, t]) => t.parts.length > 0) && ranges.some(([, t]) => !t.complete);
    };
    for (const giveUp = Date.now() + 90_000; !everyRangeStarted(await readCheckpoint()); ) {
      if (Date.now() > giveUp) assert.fail(`the ranges were never all caught mid-copy: ${JSON.stringify(await readCheckpoint())}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await child.kill();
    const stored = Object.values((await readCheckpoint())!.tables).flatMap((t) => t.parts);
    const before = await Promise.all(stored.map(async (p) => `${p.key} ${(await store.stat(p.key))!.generation}`));

    child = await WorkerProcess.start(w.world.config);
    const summary = await handle.result();
    assert.equal(summary.rows, ROWS);
    const after = await Promise.all(stored.map(async (p) => `${p.key} ${(await store.stat(p.key))!.generation}`));
    assert.deepEqual(after, before, 'a part stored before the crash was written again');
    const history = await w.client.temporal.workflow.getHandle(handle.workflowId).fetchHistory();
    const attempts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 0);
    assert.ok(attempts.some((a) => a >= 2), `activity attempts ${JSON.stringify(attempts)}`);

    // No duplicate or orphaned parts: the table's folder holds exactly the manifest's parts.
    const manifest = manifestSchema.parse(JSON.parse((await store.getBytes(objectNames.manifest(exportId))).toString('utf8')));
    const big = manifest.tables.find((t) => t.name === 'big')!;
    const listed: string[] = [];
    for await (const o of store.list(objectNames.tableFolder(exportId, 'public', 'big'))) listed.push(o.key);
    assert.deepEqual(listed.sort(), big.parts.map((p) => p.key).sort());
    assert.ok(big.parts.some((p) => p.key.includes('range-002-')));

    await w.restoreNow({ exportId, target: 'dst' });
    assert.deepEqual(await databaseFingerprint(target.url), await databaseFingerprint(source.url));
  });
});
