import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { exportWorkflowId } from '../../core/export-input';
import { manifestSchema, type Manifest } from '../../core/manifest';
import { objectNames } from '../../core/object-names';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { exportWorld, sql, type ExportWorld } from './harness';

const ROWS = 40000;

/**
 * A table above the split threshold is read as ctid page ranges by several connections at once,
 * all in the export's one snapshot. Every row is in exactly one range: the parts add up to the
 * table, row for row, even while writers move rows to other pages during the export.
 */
describe('a large table read in ctid page ranges round-trips exactly', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  let target: ScratchDatabase;
  const destination = `gs://restorepoint-ranges-${process.pid}/x`;

  before(async () => {
    source = await scratchDatabase('ranges');
    target = await scratchDatabase('ranges_dst');
    await sql(
      source.url,
      // `v` sums to 0 at every commit: a row read twice or missed (a range that saw another snapshot) breaks the sum.
      `create table big (id bigint primary key, v int not null, note text)`,
      `insert into big select g, 0, case when g % 9 = 0 then e'two\\nlines, "quoted"' else md5(g::text) end from generate_series(1, ${ROWS}) g`,
      `create table small (id int primary key, label text)`,
      `insert into small select g, 's' || g from generate_series(1, 50) g`,
    );
    w = await exportWorld({ src: source.url, dst: target.url }, { partSizeBytes: 256 * 1024 });
  });
  after(async () => {
    await w?.close();
    await source?.drop();
    await target?.drop();
  });

  async function manifestOf(exportId: string): Promise<Manifest> {
    return manifestSchema.parse(JSON.parse((await w.store(destination).getBytes(objectNames.manifest(exportId))).toString('utf8')));
  }

  it('splits the table into range parts numbered in order, and restores it equal to the source', async () => {
    const summary = await w.exportNow({ exportId: 'ranges-1', source: 'src', destination, concurrency: 4, split: { minBytes: 0, ranges: 4 } });
    assert.equal(summary.rows, ROWS + 50);
    const manifest = await manifestOf('ranges-1');
    const big = manifest.tables.find((t) => t.name === 'big')!;
    assert.equal(big.rows, ROWS);
    assert.deepEqual(big.parts.map((p) => p.partNo), big.parts.map((_, i) => i));
    const ranges = [...new Set(big.parts.map((p) => /range-(\d{3})-part-\d{5}/.exec(p.key)?.[1]))];
    assert.deepEqual(ranges, ['000', '001', '002', '003'], 'parts follow their ranges in order');
    assert.ok(big.parts.every((p) => p.rows > 0), 'no range is empty');
    // A small table (a page or two) is not worth splitting: one range per page at most.
    assert.ok(manifest.tables.find((t) => t.name === 'small')!.parts.every((p) => !p.key.includes('range-')));

    await w.restoreNow({ exportId: 'ranges-1', target: 'dst' });
    assert.deepEqual(await databaseFingerprint(target.url), await databaseFingerprint(source.url));
  });

  it('the same table read whole and read in ranges has the same fingerprint', async () => {
    await w.exportNow({ exportId: 'ranges-whole', source: 'src', destination, split: { minBytes: 0, ranges: 1 } });
    await w.exportNow({ exportId: 'ranges-3', source: 'src', destination, concurrency: 3, split: { minBytes: 0, ranges: 3 } });
    const whole = (await manifestOf('ranges-whole')).tables.find((t) => t.name === 'big')!;
    const split = (await manifestOf('ranges-3')).tables.find((t) => t.name === 'big')!;
    assert.ok(whole.parts.every((p) => !p.key.includes('range-')));
    assert.deepEqual(split.fingerprint, whole.fingerprint);
  });

  for (const acrossWorkers of [false, true]) {
  it(`rows moved to other pages by writers during the export are read once, as of the snapshot${acrossWorkers ? ' (ranges as activities)' : ''}`, async () => {
    const exportId = acrossWorkers ? 'ranges-busy-activities' : 'ranges-busy';
    let stop = false;
    let committed = 0;
    const writer = (async () => {
      const client = new pg.Client({ connectionString: source.url });
      await client.connect();
      try {
        for (let n = 0; !stop; n += 1) {
          // An update that is not HOT (the pages are full) puts the new row version on another page, often the last.
          const a = 1 + ((n * 7919) % ROWS);
          const b = 1 + ((n * 104729) % ROWS);
          if (a === b) continue;
          await client.query('begin');
          await client.query(`update big set v = v + $2, note = note || '+' where id = $1`, [a, n % 97]);
          await client.query(`update big set v = v - $2 where id = $1`, [b, n % 97]);
          // New ids of their own per case (the earlier case's rows are still there).
          if (n % 10 === 0) await client.query(`insert into big values ($1, $2, 'new'), ($1 + 1, -$2, 'new')`, [(acrossWorkers ? 10 * ROWS : ROWS) + 1 + 2 * n, n]);
          await client.query('commit');
          committed += 1;
        }
      } finally {
        await client.end();
      }
    })();
    try {
      while (committed < 20) await new Promise((r) => setTimeout(r, 20));
      // Slowly (about 3 MB at 1 MB/s), so the writers run throughout the export.
      await w.exportNow({ exportId, source: 'src', destination, concurrency: 4, maxBytesPerSecond: 1024 * 1024, split: { minBytes: 0, ranges: 4, acrossWorkers } });
    } finally {
      stop = true;
      await writer;
    }
    assert.ok(committed > 40, `only ${committed} writes ran during the export`);
    await sql(target.url, 'drop schema public cascade', 'create schema public');
    await w.restoreNow({ exportId, target: 'dst' });
    const [restored] = await sql<{ rows: string; total: string; ids: string }>(target.url, `select count(*)::text as rows, sum(v)::text as total, count(distinct id)::text as ids from big`);
    assert.equal(restored!.total, '0', 'the restored rows are not one consistent snapshot');
    assert.equal(restored!.ids, restored!.rows);
    const big = (await manifestOf(exportId)).tables.find((t) => t.name === 'big')!;
    assert.equal(String(big.rows), restored!.rows);
    assert.equal(new Set(big.parts.map((p) => /range-(\d{3})-/.exec(p.key)?.[1])).size, 4);
    if (acrossWorkers) {
      const events = (await w.client.temporal.workflow.getHandle(exportWorkflowId(exportId)).fetchHistory()).events ?? [];
      assert.equal(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'exportRange').length, 4, 'one activity per range');
    }
  });
  }
});
