/**
 * The export's per-byte work in one process, without Temporal: `exportTable` of the
 * benchmark's table into a local folder, several times, with the CPU this process spent
 * (zstd's child excluded) and the time V8 spent collecting garbage, medians. A ballast of
 * live objects stands in for the Temporal worker's heap, which every full collection walks.
 *
 *   node --import tsx bench/export-cpu.ts [--rounds 5] [--ballast-mb 150] [--zstd-level 3] [--encrypt]
 *
 * Needs the benchmark's source database (made by `npm run bench`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ObjectCipher } from '../crypto/object-cipher';
import { exportTable } from '../activities/export/table-export';
import type { ManifestPart } from '../core/manifest';
import { readStackState } from '../stack/state';
import { LocalStore } from '../storage/local-store';
import { BENCH_TABLE } from './dataset';
import { median } from './measurement';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

async function main(): Promise<void> {
  const rounds = option('--rounds', 5);
  const zstdLevel = option('--zstd-level', 3);
  // As the default stack exports: every part sealed under the export's data key.
  const cipher = process.argv.includes('--encrypt') ? new ObjectCipher('bench', randomBytes(32)) : undefined;
  // Objects that stay alive, as the worker's ~150 MB of Temporal and SDK state do.
  const ballast = Array.from({ length: option('--ballast-mb', 150) * 1024 }, (_, i) => Array.from({ length: 16 }, (_, j) => ({ i, j, s: `n${i}.${j}` })));
  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  }).observe({ entryTypes: ['gc'] });

  const stack = readStackState();
  if (!stack) throw new Error('no local stack');
  const url = new URL(stack.postgres.adminUrl);
  url.pathname = '/restorepoint_bench_source';
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  const columns = (await client.query<{ name: string }>("select attname as name from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum", [BENCH_TABLE])).rows.map((r) => r.name);
  // Peak memory above the start: the worker's budget is per stream (docs/performance.md).
  const startRss = process.memoryUsage.rss();
  let peakRss = startRss;
  let peakArrayBuffers = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers);
  }, 10);
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'export-cpu-'));
  const cpu: number[] = [];
  const gc: number[] = [];
  const wall: number[] = [];
  let summary = '';
  try {
    for (let round = 0; round < rounds; round++) {
      const store = new LocalStore(path.join(directory, String(round)));
      gcMs = 0;
      const start = process.cpuUsage();
      const started = performance.now();
      const parts: ManifestPart[] = await exportTable(
        client,
        store,
        { table: { schema: 'public', name: BENCH_TABLE, kind: 'table' }, columns, format: 'csv', compression: 'zstd', zstdLevel, partSizeBytes: 256 << 20, partKey: (n) => `part-${n}.csv.zst`, finishedParts: [], cipher },
        { onProgress: () => undefined, onPart: async () => undefined },
      );
      wall.push(performance.now() - started);
      const used = process.cpuUsage(start);
      // Let the observer's entries for this round arrive.
      await new Promise((resolve) => setTimeout(resolve, 50));
      cpu.push((used.user + used.system) / 1000);
      gc.push(gcMs);
      summary = parts.map((p) => `${p.rows} rows ${p.bytes} B fp ${p.fingerprint?.sum}`).join('; ');
      fs.rmSync(path.join(directory, String(round)), { recursive: true, force: true });
    }
  } finally {
    clearInterval(sampler);
    await client.end();
    fs.rmSync(directory, { recursive: true, force: true });
  }
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`cpu ms ${median(cpu).toFixed(0)} [${cpu.map((c) => c.toFixed(0)).join(' ')}]  gc ms ${median(gc).toFixed(0)} [${gc.map((g) => g.toFixed(0)).join(' ')}]  wall ms ${median(wall).toFixed(0)}  load ${load}  RSS +${((peakRss - startRss) / 2 ** 20).toFixed(0)} MB, array buffers peak ${(peakArrayBuffers / 2 ** 20).toFixed(0)} MB (ballast ${ballast.length})`);
  console.log(summary);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
