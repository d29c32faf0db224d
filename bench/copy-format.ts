import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { PartWriter } from '../activities/export/part-writer';
import { loadPart } from '../activities/restore/load-part';
import type { ManifestPart } from '../core/manifest';
import { LocalStore } from '../storage/local-store';
import { CopyOutReader, type CopyRows } from '../streams/copy-out-reader';
import { RowFingerprint } from '../streams/row-fingerprint';
import type { BenchContext } from './bench-context';
import { BENCH_TABLE, withClient } from './dataset';
import type { Measurement } from './measurement';

/**
 * COPY's binary format against its CSV format, through restorepoint's own pipeline but
 * without the workflow around it (issue 16 item 2: "a binary COPY restore path ...,
 * measured against CSV"). Runs in the benchmark's process, so client CPU is this
 * process's (and its zstd children's), and the server backend's CPU is read from /proc:
 * the local stack's PostgreSQL runs on this machine.
 */
export const COPY_FORMATS = ['csv', 'binary'] as const;
export type CopyFormat = (typeof COPY_FORMATS)[number];

/** Load targets in the target database: with the bench table's primary key, and a bare heap (an empty-database restore loads before its indexes). */
export const COPY_TARGETS = { pk: 'bench_copy_pk', heap: 'bench_copy_heap' } as const;
export type CopyTarget = keyof typeof COPY_TARGETS;

/** `PGCOPY\n\377\r\n\0`, flags (int32), header extension length (int32, 0 from every server so far). */
const BINARY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const BINARY_HEADER_BYTES = 19;
/** The file trailer: a field count of -1, sent as a CopyData message of its own. */
const BINARY_TRAILER = Buffer.from([0xff, 0xff]);
const PART_KEY = (format: CopyFormat, partNo: number) => `${format}/part-${String(partNo).padStart(5, '0')}.zst`;

/** CPU seconds (ms) of a process from /proc/<pid>/stat: utime + stime, and with `children` the waited-for children's. */
function procCpuMs(pid: number | 'self', children = false): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tick = (n: number) => Number(fields[n - 3]);
  const ticks = tick(14) + tick(15) + (children ? tick(16) + tick(17) : 0);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

/** Times `work` on a connection of its own: wall, this process's CPU (zstd children included) and the backend's CPU. */
async function measured<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<{ result: T; measurement: Measurement }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const backend = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const serverBefore = procCpuMs(backend);
    const clientBefore = procCpuMs('self', true);
    const started = performance.now();
    const result = await work(client);
    const wallMs = performance.now() - started;
    const measurement: Measurement = { wallMs, cpuMs: procCpuMs('self', true) - clientBefore, serverCpuMs: procCpuMs(backend) - serverBefore, peakRssKb: process.resourceUsage().maxRSS };
    return { result, measurement };
  } finally {
    await client.end();
  }
}

/**
 * COPY TO STDOUT in `format` → CopyOutReader (fingerprinting each message, as exports do)
 * → PartWriter (zstd at the configured level, checksums) → parts in a folder, cut at the
 * configured part size. A binary part is a whole binary COPY stream of its own (header,
 * rows, trailer), so it loads alone; the header comes in the first row's message and the
 * trailer in a message after the last row.
 */
export async function exportInFormat(context: BenchContext, format: CopyFormat, directory: string): Promise<{ measurement: Measurement; parts: ManifestPart[] }> {
  fs.rmSync(directory, { recursive: true, force: true });
  fs.mkdirSync(directory, { recursive: true });
  const store = new LocalStore(directory);
  const { zstdLevel, partSizeBytes } = context.config.export;
  const { result: parts, measurement } = await measured(context.databases.source, async (client) => {
    const reader = client.query(new CopyOutReader(`copy ${BENCH_TABLE} to stdout (format ${format})`, { chunkBytes: Math.min(256 * 1024, partSizeBytes), fingerprint: true }));
    const parts: ManifestPart[] = [];
    let current: PartWriter | undefined;
    let header: Buffer | undefined;
    const emit = async (read: CopyRows, last: boolean) => {
      let data = read.data;
      let rows = read.rows;
      if (format === 'binary') {
        if (!header) {
          if (!data.subarray(0, BINARY_SIGNATURE.length).equals(BINARY_SIGNATURE) || data.readUInt32BE(15) !== 0) throw new Error('unexpected binary COPY header');
          header = Buffer.from(data.subarray(0, BINARY_HEADER_BYTES));
          data = data.subarray(BINARY_HEADER_BYTES);
        }
        if (last) {
          if (!data.subarray(data.length - 2).equals(BINARY_TRAILER)) throw new Error('unexpected binary COPY trailer');
          data = data.subarray(0, data.length - 2);
          rows -= 1;
        }
      }
      if (!current) {
        current = new PartWriter(store, PART_KEY(format, parts.length), 'zstd', zstdLevel);
        // Header and trailer go in with an empty fingerprint, so they are not scanned as CSV.
        if (header) await current.write(header, 0, new RowFingerprint());
      }
      // The reader's fingerprint is of its messages (for binary, header and trailer hashed with their neighbours): the cost is what is measured here.
      await current.write(data, rows, read.fingerprint);
      if (current.rawBytes >= partSizeBytes || last) {
        if (header) await current.write(BINARY_TRAILER, 0, new RowFingerprint());
        const sums = await current.finish();
        parts.push({ key: current.key, partNo: parts.length, rows: current.rows, bytes: sums.bytes, sha256: sums.sha256, crc32c: sums.crc32c });
        current = undefined;
      }
    };
    // Each chunk is held until the next arrives: only the last one carries the binary trailer.
    let held: CopyRows | undefined;
    for await (const read of reader as AsyncIterable<CopyRows>) {
      if (held) await emit(held, false);
      held = read;
    }
    if (held) await emit(held, true);
    const counted = parts.reduce((sum, p) => sum + p.rows, 0);
    if (counted !== reader.rowCount || counted !== context.rows) throw new Error(`${format}: COPY sent ${reader.rowCount} rows, ${counted} were counted, the table has ${context.rows}`);
    return parts;
  });
  return { measurement: { ...measurement, rows: context.rows, outputBytes: parts.reduce((sum, p) => sum + p.bytes, 0) }, parts };
}

/** The load targets, made once in the target database (which holds an empty BENCH_TABLE). */
export async function createCopyTargets(context: BenchContext): Promise<void> {
  await withClient(context.databases.target, async (c) => {
    await c.query(`create table if not exists ${COPY_TARGETS.pk} (like ${BENCH_TABLE} including all)`);
    await c.query(`create table if not exists ${COPY_TARGETS.heap} (like ${BENCH_TABLE})`);
  });
}

/** Empties a load target (not timed), outside the load's transaction, as a restore into an existing empty table finds it. */
export async function emptyCopyTarget(context: BenchContext, target: CopyTarget): Promise<void> {
  await createCopyTargets(context);
  await withClient(context.databases.target, (c) => c.query(`truncate ${COPY_TARGETS[target]}`));
}

/** Every part through load-part (read → checksum → zstd -d → COPY FROM STDIN in `format`) in one transaction, as restores load. */
export async function loadInFormat(context: BenchContext, format: CopyFormat, target: CopyTarget, directory: string, parts: readonly ManifestPart[]): Promise<Measurement> {
  const store = new LocalStore(directory);
  const table = COPY_TARGETS[target];
  const { result: rows, measurement } = await measured(context.databases.target, async (client) => {
    await client.query('begin');
    let loaded = 0;
    for (const part of parts) loaded += await loadPart(client, store, part, 'zstd', `copy ${table} from stdin (format ${format})`);
    await client.query('commit');
    return loaded;
  });
  const inTable = await withClient(context.databases.target, async (c) => Number((await c.query<{ n: string }>(`select count(*)::text as n from ${table}`)).rows[0]!.n));
  if (rows !== context.rows || inTable !== context.rows) throw new Error(`${format} load into ${table}: ${rows} rows loaded, ${inTable} in the table, expected ${context.rows}`);
  return { ...measurement, rows };
}

/** The parts each format's loads read, exported once (not timed) into the work folder. */
export async function copyFormatInput(context: BenchContext, format: CopyFormat): Promise<{ directory: string; parts: readonly ManifestPart[] }> {
  context.copyFormatInputs ??= new Map();
  let input = context.copyFormatInputs.get(format);
  if (!input) {
    const directory = path.join(context.workDir, 'copy-format-input', format);
    input = { directory, parts: (await exportInFormat(context, format, directory)).parts };
    context.copyFormatInputs.set(format, input);
  }
  return input;
}
