import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Manifest } from '../../core/manifest';
import { objectNames } from '../../core/object-names';
import { exportWorld, sql, type ExportWorld } from '../export/harness';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { failureNamed, partKeys, rewritePartEverywhere, verifyNow } from './verify-support';

/**
 * The decode level reads every Parquet part back with DuckDB through the restore mapping and
 * counts its rows, as it parses text parts: a part whose bytes match every record (a writer
 * that recorded what it wrongly wrote) passes checksums and is still caught at decode.
 */
describe('Parquet parts are read back at the decode level', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-verify-parquet-'));
  let counter = 0;

  before(async () => {
    source = await scratchDatabase('verify_parquet');
    await sql(
      source.url,
      `create table item (id int primary key, label text, price numeric(8,2), at timestamptz)`,
      `insert into item select g, 'item ' || g, g / 7.0, '2026-01-01'::timestamptz + g * interval '1 minute' from generate_series(1, 20000) g`,
    );
    w = await exportWorld({ src: source.url }, { partSizeBytes: 64 * 1024 });
  });

  after(async () => {
    await w?.close();
    await source?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  async function freshParquetExport() {
    counter += 1;
    const exportId = `verify-parquet-${counter}`;
    const destination = `file://${folder}`;
    // Parts are re-recorded as a buggy writer would, in plain Parquet; encrypted exports' refusals are test/encryption's.
    await w.exportNow({ exportId, source: 'src', destination, format: 'parquet', compression: 'zstd', encrypt: false });
    const store = w.store(destination);
    const parts = await partKeys(store, exportId, 'item');
    assert.ok(parts.length >= 3, `${parts.length} parts`);
    return { exportId, store, parts };
  }

  it('a clean Parquet export passes decode, each part counted', async () => {
    const { exportId } = await freshParquetExport();
    const report = await verifyNow(w, { exportId, level: 'decode' });
    assert.equal(report.status, 'passed', JSON.stringify(report.messages));
  });

  it('a part re-recorded everywhere holding another part’s rows fails decode with a row-count mismatch', async () => {
    const { exportId, store, parts } = await freshParquetExport();
    const victim = parts[0]!;
    // DuckDB decides how many rows a part holds: the donor is any part whose count differs from the victim's.
    const manifest = JSON.parse((await store.getBytes(objectNames.manifest(exportId))).toString('utf8')) as Manifest;
    const rowsOf = new Map(manifest.tables.find((t) => t.name === 'item')!.parts.map((p) => [p.key, p.rows]));
    const donor = parts.find((key) => rowsOf.get(key) !== rowsOf.get(victim));
    assert.ok(donor, `parts of differing row counts among ${JSON.stringify([...rowsOf])}`);
    await rewritePartEverywhere(w, store, exportId, victim, await store.getBytes(donor));
    assert.equal((await verifyNow(w, { exportId, level: 'checksums' })).status, 'passed');
    const found = failureNamed(await verifyNow(w, { exportId, level: 'decode' }), victim, 'row-count mismatch') as { expected: number; actual: number };
    assert.deepEqual([found.expected, found.actual], [rowsOf.get(victim), rowsOf.get(donor)], JSON.stringify(found));
  });

  it('a part re-recorded everywhere that is no longer a Parquet file fails decode with a decode error', async () => {
    const { exportId, store, parts } = await freshParquetExport();
    const victim = parts[1]!;
    const bytes = await store.getBytes(victim);
    await rewritePartEverywhere(w, store, exportId, victim, bytes.subarray(0, Math.floor(bytes.length / 2)));
    assert.equal((await verifyNow(w, { exportId, level: 'checksums' })).status, 'passed');
    failureNamed(await verifyNow(w, { exportId, level: 'decode' }), victim, 'decode error');
  });
});
