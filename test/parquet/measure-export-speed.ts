/**
 * Measures the real Parquet code path against CSV+zstd on one table (not a test: speed
 * goals live in benchmarks). Usage, with a database holding the benchmark table:
 *   node --import tsx test/parquet/measure-export-speed.ts postgres://.../db bench_rows
 * Prints one JSON line per run: seconds, rows/s, stored bytes, the worker's peak RSS.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { exportTable } from '../../activities/export/table-export';
import { loadParquetPart } from '../../activities/restore/parquet-load-part';
import { parquetManifestMapping } from '../../activities/export/parquet-table-export';
import { loadPart } from '../../activities/restore/load-part';
import type { ExportFormat } from '../../core/export-input';
import { describeColumns } from '../../postgres/introspect';
import { copyInStatement } from '../../postgres/copy-statements';
import { openStore } from '../../storage/open-store';

async function main(): Promise<void> {
  const [url, name = 'bench_rows'] = process.argv.slice(2);
  if (!url) throw new Error('usage: measure-export-speed.ts <database url> [table]');
  const table = { schema: 'public', name, kind: 'table' as const };
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-measure-'));
  const store = openStore(`file://${folder}`, { projectId: 'measure' } as never);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const columns = await describeColumns(client, table);
  try {
    for (const format of (process.env.FORMATS ?? 'parquet,csv').split(',') as ExportFormat[]) {
      await client.query('begin isolation level repeatable read');
      const started = process.hrtime.bigint();
      const parts = await exportTable(client, store, {
        table, columns: columns.map((c) => c.name), format, compression: 'zstd', zstdLevel: 3, partSizeBytes: 256 * 1024 * 1024,
        partKey: (n) => `m-${format}/part-${n}.${format}.zst`, finishedParts: [],
      }, { onProgress: () => undefined, onPart: async () => undefined });
      const exportSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      await client.query('commit');
      const rows = parts.reduce((s, p) => s + p.rows, 0);

      await client.query('begin');
      await client.query(`create temporary table restore_target (like public.${name}) on commit drop`);
      const restoreTable = { ...table, name: 'restore_target', columns, primaryKey: [], foreignKeys: [], rows, bytes: 0, parts };
      const restoreMapping = parquetManifestMapping([restoreTable]);
      const restoreStarted = process.hrtime.bigint();
      for (const part of parts) {
        if (format === 'parquet') await loadParquetPart(client, store, { schema: 'pg_temp', name: 'restore_target' }, restoreTable, part, restoreMapping);
        else await loadPart(client, store, part, 'zstd', copyInStatement('pg_temp', 'restore_target', columns.map((c) => c.name)));
      }
      const restoreSeconds = Number(process.hrtime.bigint() - restoreStarted) / 1e9;
      await client.query('rollback');
      console.log(JSON.stringify({
        format: format === 'csv' ? 'csv+zstd' : 'parquet(zstd)', rows, parts: parts.length, storedBytes: parts.reduce((s, p) => s + p.bytes, 0),
        exportSeconds: +exportSeconds.toFixed(2), exportRowsPerSecond: Math.round(rows / exportSeconds),
        restoreSeconds: +restoreSeconds.toFixed(2), restoreRowsPerSecond: Math.round(rows / restoreSeconds),
        peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      }));
    }
  } finally {
    await client.end();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
