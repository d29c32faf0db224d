import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { manifestSchema } from '../../core/manifest';
import { copyOutStatement } from '../../postgres/copy-statements';
import { applyExportSessionSettings } from '../../postgres/session-settings';
import { fingerprintCsvRows, RowFingerprint } from '../../streams/row-fingerprint';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { exportWorld, sql, type ExportWorld } from './harness';

/** What a verifier does at `--level restore`: copy the restored table out and recompute. */
async function fingerprintOf(url: string, schema: string, name: string, columns: readonly string[], format: 'csv' | 'jsonl') {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await applyExportSessionSettings(client);
    return await fingerprintCsvRows(client.query(copyTo(copyOutStatement({ schema, name, kind: 'table' }, columns, format))), format === 'jsonl' ? 0x01 : 0x22);
  } finally {
    await client.end();
  }
}

describe('the manifest fingerprint of each table matches the restored table copied out again', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  let target: ScratchDatabase;
  const destination = `gs://restorepoint-fingerprint-${process.pid}/x`;

  before(async () => {
    source = await scratchDatabase('fp');
    target = await scratchDatabase('fp_dst');
    await sql(
      source.url,
      // The server's own time zone must not matter: the export sets its session's.
      `alter database ${source.name} set timezone = 'America/New_York'`,
      `create table t (id int primary key, at timestamptz, note text, vals float8[], j jsonb, gen int generated always as (id * 2) stored)`,
      `insert into t select g, timestamptz '2024-03-10 01:30:00-05' + g * interval '7 minutes', case when g % 5 = 0 then null when g % 7 = 0 then '' else e'line\\n"q", ' || g end, array[g / 3.0, 1e-300], jsonb_build_object('g', g) from generate_series(1, 4000) g`,
    );
    w = await exportWorld({ src: source.url, dst: target.url }, { partSizeBytes: 16 * 1024 });
  });
  after(async () => {
    await w?.close();
    await source?.drop();
    await target?.drop();
  });

  for (const format of ['csv', 'jsonl'] as const) {
    it(`as ${format}: rows and sum agree after a restore into a scratch schema, and one changed row changes the sum`, async () => {
      const exportId = `fp-${format}`;
      await w.exportNow({ exportId, source: 'src', destination, format });
      const manifest = manifestSchema.parse(JSON.parse((await w.store(destination).getBytes(`${exportId}/manifest.json`)).toString('utf8')));
      const table = manifest.tables.find((t) => t.name === 't')!;
      assert.ok(table.parts.length >= 3, `${table.parts.length} parts`);
      assert.equal(table.fingerprint?.rows, 4000);
      assert.equal(table.fingerprint?.over, format);

      const scratch = `scratch_${format}`;
      await w.restoreNow({ exportId, target: 'dst', targetSchema: scratch });
      const columns = table.columns.filter((c) => c.generated === null).map((c) => c.name);
      const again = await fingerprintOf(target.url, scratch, 't', columns, format);
      assert.deepEqual(again, { rows: table.fingerprint!.rows, sum: table.fingerprint!.sum });

      await sql(target.url, `update ${scratch}.t set note = note || '!' where id = 1`);
      assert.notEqual((await fingerprintOf(target.url, scratch, 't', columns, format)).sum, table.fingerprint!.sum);
    });
  }

  it('does not depend on row order or chunking', () => {
    const row = fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', 'é', '1') }).map((s) => `"${s.replace(/"/g, '""')}",x\n`);
    fc.assert(
      fc.property(fc.array(row, { maxLength: 30 }), fc.integer({ min: 1, max: 17 }), (rows, size) => {
        const whole = new RowFingerprint();
        whole.update(Buffer.from(rows.join('')));
        const pieces = new RowFingerprint();
        const reversed = Buffer.from([...rows].reverse().join(''));
        for (let i = 0; i < reversed.length; i += size) pieces.update(reversed.subarray(i, i + size));
        assert.deepEqual(pieces.result(), whole.result());
        assert.equal(whole.result().rows, rows.length);
      }),
    );
  });
});
