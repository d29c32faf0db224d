import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { manifestSchema } from '../../core/manifest';
import { exportWorld, failureOf, rejectionOf, sql, type ExportWorld } from '../export/harness';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';

describe('a tampered Parquet part is refused before any of its rows is written', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  let target: ScratchDatabase;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-parquet-'));

  before(async () => {
    source = await scratchDatabase('parquet_tamper');
    await sql(source.url, 'create table t (id bigint primary key, note text)', `insert into t select g, 'note ' || g from generate_series(1, 50000) g`);
    target = await scratchDatabase('parquet_tamper_dst');
    w = await exportWorld({ src: source.url, dst: target.url });
  });
  after(async () => {
    await w?.close();
    for (const db of [source, target]) await db?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('one flipped byte in the last part fails the restore with CHECKSUM_MISMATCH and leaves the target empty', async () => {
    await w.exportNow({ exportId: 'tamper', source: 'src', destination: `file://${folder}`, format: 'parquet', partSizeBytes: 256 * 1024 });
    const manifest = manifestSchema.parse(JSON.parse(fs.readFileSync(path.join(folder, 'tamper', 'manifest.json'), 'utf8')));
    const parts = manifest.tables[0]!.parts;
    assert.ok(parts.length >= 2, `${parts.length} parts`);
    const file = path.join(folder, parts.at(-1)!.key);
    const bytes = fs.readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    fs.writeFileSync(file, bytes);

    // verifyFirst off: the loader's own check while streaming must catch it.
    const error = await rejectionOf(w.restoreNow({ exportId: 'tamper', target: 'dst', verifyFirst: false }));
    const failure = failureOf(error);
    assert.equal(failure.type, 'CHECKSUM_MISMATCH', failure.message);
    assert.match(failure.message, /part-0000\d\.parquet/);
    const tables = await sql<{ n: string }>(target.url, `select count(*)::text as n from pg_tables where schemaname = 'public'`);
    assert.equal(tables[0]!.n, '0', 'the restore rolled back: no table, no row');
  });
});
