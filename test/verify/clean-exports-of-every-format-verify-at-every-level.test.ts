import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listRuns } from '../../catalog/verification-repo';
import { exportWorld, sql, type ExportWorld } from '../export/harness';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { verifyNow, withWorldCatalog } from './verify-support';

/**
 * Every export format passes every level when nothing is wrong: CSV and JSON lines are
 * parsed and fingerprinted part by part and table by table; Parquet parts are read back and
 * counted, and its restored tables compared by row count (its manifests carry no fingerprint).
 */
describe('clean exports of every format verify at every level', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-verify-formats-'));

  before(async () => {
    source = await scratchDatabase('verify_formats');
    await sql(
      source.url,
      `create table doc (id int primary key, title text, body jsonb, tags text[], at timestamptz, price numeric(8,2), total numeric(9,2) generated always as (price * 2) stored)`,
      `insert into doc (id, title, body, tags, at, price)
         select g, 'title "' || g || E'",\\n line', jsonb_build_object('n', g, 's', repeat('é', g % 5)), array['a', 'b,c'], '2026-01-01'::timestamptz + g * interval '1 hour', g / 3.0
           from generate_series(1, 5000) g`,
      `insert into doc (id) values (0)`,
    );
    w = await exportWorld({ src: source.url });
  });

  after(async () => {
    await w?.close();
    await source?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  for (const [format, compression, compared] of [
    ['csv', 'zstd', 'fingerprint'],
    ['jsonl', 'gzip', 'fingerprint'],
    ['parquet', 'none', 'row count'],
  ] as const) {
    it(`${format} (${compression}) passes checksums, decode and restore, comparing tables by ${compared}`, async () => {
      const exportId = `formats-${format}`;
      await w.exportNow({ exportId, source: 'src', destination: `file://${folder}`, format, compression });
      for (const level of ['checksums', 'decode', 'restore'] as const) {
        const report = await verifyNow(w, { exportId, level, incremental: false });
        assert.equal(report.status, 'passed', `${level}: ${JSON.stringify(report.messages)} ${JSON.stringify(report.restore)}`);
      }
      const tables = await withWorldCatalog(w, async (db) => (await listRuns(db, exportId, 1))[0]!.results.tables!);
      assert.deepEqual(tables, [{ table: 'public.doc', status: 'ok', rows: 5001, compared }]);
    });
  }
});
