import fs from 'node:fs';
import path from 'node:path';
import { startExport } from '../client/exports';
import { startRestore } from '../client/restores';
import { postgresClient } from '../stack/tools';
import { folderDestination, removeDestination, type BenchContext } from './bench-context';
import { BENCH_TABLE, emptyPgRestoreTarget, emptyTarget, ONE_ROW_TABLE, recreateEmptyDatabase, SMALL_TABLE, targetRows, TWIN_TABLE, withClient } from './dataset';
import { COPY_FORMATS, COPY_TARGETS, copyFormatInput, emptyCopyTarget, exportInFormat, loadInFormat, type CopyTarget } from './copy-format';
import type { Measurement } from './measurement';
import { exportAcrossWorkers, startScaleOut } from './scale-out';
import { timedCommand } from './timed-command';

export type Group = 'export' | 'restore' | 'parallel' | 'latency' | 'memory' | 'pagila' | 'incremental' | 'split' | 'encryption' | 'binary';

/** Readers (ctid page ranges) of the one-table split contenders. */
export const SPLIT_READERS = [1, 2, 4] as const;
/** Worker processes sharing one table's ranges as activities (issue 16 item 3), and how many ranges. */
export const SCALE_OUT_WORKERS = [1, 3] as const;
export const SCALE_OUT_RANGES = 6;

/** One thing the benchmark times; `prepare` (not timed) runs before every timed run. */
export interface Contender {
  readonly id: string;
  readonly label: string;
  readonly group: Group;
  /** A contender whose feature may not work yet: its failure is reported as pending, not fatal. */
  readonly optional?: boolean;
  prepare?(context: BenchContext): Promise<void>;
  run(context: BenchContext, runNo: number): Promise<Measurement>;
}

const psql = () => postgresClient('psql');

/** A restorepoint restore of the prepared export through the real client, workflow and worker. */
async function restorepointRestore(context: BenchContext, target: 'target' | 'empty_db', targetUrl: string, verifyFirst: boolean, encrypted = true): Promise<Measurement> {
  const measured = await timedRestore(context, encrypted ? context.restoreSourceExportId : context.restorePlainExportId, target, verifyFirst);
  const rows = await targetRows(targetUrl);
  if (rows !== context.rows) throw new Error(`restorepoint restore loaded ${rows} rows, expected ${context.rows}`);
  return { ...measured, rows };
}

async function timedRestore(context: BenchContext, exportId: string, target: string, verifyFirst: boolean): Promise<Measurement> {
  const { result, cost } = await context.worker.measure(async () => {
    const started = performance.now();
    const restore = await startRestore(context.client, { exportId, target, verifyFirst, requestedBy: 'bench' });
    const summary = await restore.result();
    return { summary, wallMs: performance.now() - started };
  });
  return { wallMs: result.wallMs, ...cost, rows: result.summary.rows };
}

/** The inputs of the Pagila restores, made once (not timed). */
async function preparePagilaRestores(context: BenchContext): Promise<void> {
  if (!context.pagilaDumpFile) {
    const file = `${context.dumpFile}.pagila-input`;
    await timedCommand(pgDump(), ['-Fc', '-n', 'public', '-f', file, context.databases.pagila]);
    context.pagilaDumpFile = file;
  }
  if (!context.pagilaExportId) {
    const { exportId } = await restorepointExport(context, { source: 'pagila', tables: [], destination: folderDestination(context, 'pagila-restore-source') });
    context.pagilaExportId = exportId;
  }
}
const pgDump = () => postgresClient('pg_dump');

/** A restorepoint export through the real client, workflow and worker process. */
export async function restorepointExport(
  context: BenchContext,
  options: {
    source: string;
    tables: readonly string[];
    destination: string;
    schemas?: readonly string[];
    concurrency?: number;
    mode?: 'full' | 'incremental';
    parentExportId?: string;
    split?: { minBytes: number; ranges: number };
    encrypt?: boolean;
  },
): Promise<Measurement & { exportId: string; manifestKey: string }> {
  const { result, cost } = await context.worker.measure(async () => {
    const started = performance.now();
    const handle = await startExport(context.client, { ...options, tables: [...options.tables], schemas: options.schemas ? [...options.schemas] : undefined, requestedBy: 'bench' });
    const summary = await handle.result();
    return { summary, wallMs: performance.now() - started };
  });
  return { wallMs: result.wallMs, ...cost, outputBytes: result.summary.bytes, rows: result.summary.rows, exportId: result.summary.exportId, manifestKey: result.summary.manifestKey };
}

/** Exports to a fresh destination, measures, then removes what it wrote (not timed). */
async function exportAndDiscard(
  context: BenchContext,
  destination: string,
  options: { source: string; tables: readonly string[]; schemas?: readonly string[]; concurrency?: number; split?: { minBytes: number; ranges: number }; encrypt?: boolean },
): Promise<Measurement> {
  try {
    const { exportId: _exportId, manifestKey: _manifestKey, ...measurement } = await restorepointExport(context, { ...options, destination });
    return measurement;
  } finally {
    await removeDestination(context, destination);
  }
}

async function pgDumpTo(file: string, url: string, args: readonly string[]): Promise<Measurement> {
  const measured = await timedCommand(pgDump(), ['-Fc', ...args, '-f', file, url]);
  return { ...measured, outputBytes: fs.statSync(file).size };
}

export function contenders(): Contender[] {
  return [
    {
      id: 'copy_to_devnull',
      label: 'psql \\copy TO /dev/null (csv)',
      group: 'export',
      run: async (c) => ({ ...(await timedCommand(psql(), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', c.databases.source, '-c', `\\copy ${BENCH_TABLE} to '/dev/null' (format csv)`])), rows: c.rows }),
    },
    {
      id: 'pg_dump_fc',
      label: 'pg_dump -Fc (default compression)',
      group: 'export',
      run: async (c) => ({ ...(await pgDumpTo(c.dumpFile, c.databases.source, ['-t', `public.${BENCH_TABLE}`])), rows: c.rows }),
    },
    {
      id: 'pg_dump_fc_z1',
      label: 'pg_dump -Fc -Z1',
      group: 'export',
      run: async (c, runNo) => {
        const file = `${c.dumpFile}.z1-${runNo}`;
        try {
          return { ...(await pgDumpTo(file, c.databases.source, ['-Z1', '-t', `public.${BENCH_TABLE}`])), rows: c.rows };
        } finally {
          fs.rmSync(file, { force: true });
        }
      },
    },
    {
      id: 'rp_export_folder',
      label: 'restorepoint export csv+zstd -> folder',
      group: 'export',
      run: (c, runNo) => exportAndDiscard(c, folderDestination(c, `folder-${runNo}`), { source: 'bench', tables: [BENCH_TABLE] }),
    },
    {
      // Every export is encrypted by default; this one opts out, to show what encryption costs.
      id: 'rp_export_folder_plain',
      label: 'restorepoint export csv+zstd -> folder, unencrypted',
      group: 'encryption',
      run: (c, runNo) => exportAndDiscard(c, folderDestination(c, `folder-plain-${runNo}`), { source: 'bench', tables: [BENCH_TABLE], encrypt: false }),
    },
    {
      id: 'rp_restore_plain',
      label: 'restorepoint restore -> empty table, unencrypted export',
      group: 'encryption',
      prepare: (c) => emptyTarget(c.databases),
      run: (c) => restorepointRestore(c, 'target', c.databases.target, true, false),
    },
    {
      id: 'rp_export_gcs',
      label: 'restorepoint export csv+zstd -> GCS emulator',
      group: 'export',
      run: (c, runNo) => exportAndDiscard(c, `gs://${c.gcsBucket}/run-${runNo}`, { source: 'bench', tables: [BENCH_TABLE] }),
    },
    {
      id: 'copy_from_csv',
      label: 'psql \\copy FROM csv -> empty table',
      group: 'restore',
      prepare: (c) => emptyTarget(c.databases),
      run: async (c) => {
        const measured = await timedCommand(psql(), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', c.databases.target, '-c', `\\copy ${BENCH_TABLE} from '${c.csvFile}' (format csv)`]);
        return { ...measured, rows: await targetRows(c.databases.target) };
      },
    },
    {
      id: 'pg_restore',
      label: 'pg_restore of pg_dump -Fc -> empty db',
      group: 'restore',
      prepare: (c) => emptyPgRestoreTarget(c.databases),
      run: async (c) => {
        const measured = await timedCommand(postgresClient('pg_restore'), ['--no-owner', '-d', c.databases.pgRestore, c.dumpFile]);
        return { ...measured, rows: await targetRows(c.databases.pgRestore) };
      },
    },
    {
      id: 'rp_restore',
      label: 'restorepoint restore -> empty table',
      group: 'restore',
      prepare: (c) => emptyTarget(c.databases),
      run: (c) => restorepointRestore(c, 'target', c.databases.target, true),
    },
    {
      id: 'rp_restore_no_verify_first',
      label: 'restorepoint restore -> empty table, verifyFirst off',
      group: 'restore',
      prepare: (c) => emptyTarget(c.databases),
      run: (c) => restorepointRestore(c, 'target', c.databases.target, false),
    },
    {
      id: 'rp_restore_empty_db',
      label: 'restorepoint restore -> empty db (stored DDL)',
      group: 'restore',
      prepare: (c) => recreateEmptyDatabase(c.databases.emptyDatabase),
      run: (c) => restorepointRestore(c, 'empty_db', c.databases.emptyDatabase, true),
    },
    {
      id: 'rp_export_two_tables',
      label: 'restorepoint export, 2 equal tables in parallel',
      group: 'parallel',
      run: (c, runNo) => exportAndDiscard(c, folderDestination(c, `pair-${runNo}`), { source: 'bench', tables: [BENCH_TABLE, TWIN_TABLE], concurrency: 2 }),
    },
    {
      id: 'rp_export_one_row',
      label: 'restorepoint export of a one-row table (end to end)',
      group: 'latency',
      run: (c, runNo) => exportAndDiscard(c, folderDestination(c, `one-${runNo}`), { source: 'bench', tables: [ONE_ROW_TABLE] }),
    },
    {
      id: 'rp_export_small',
      label: 'restorepoint export of a table 1/5 the size',
      group: 'memory',
      run: (c, runNo) => exportAndDiscard(c, folderDestination(c, `small-${runNo}`), { source: 'bench', tables: [SMALL_TABLE] }),
    },
    {
      id: 'pagila_pg_dump_fc',
      label: 'Pagila: pg_dump -Fc',
      group: 'pagila',
      run: async (c, runNo) => {
        const file = `${c.dumpFile}.pagila-${runNo}`;
        try {
          return await pgDumpTo(file, c.databases.pagila, ['-n', 'public']);
        } finally {
          fs.rmSync(file, { force: true });
        }
      },
    },
    {
      id: 'pagila_rp_export',
      label: 'Pagila: restorepoint export -> folder',
      group: 'pagila',
      run: (c, runNo) => exportAndDiscard(c, folderDestination(c, `pagila-${runNo}`), { source: 'pagila', tables: [] }),
    },
    {
      id: 'pagila_pg_restore',
      label: 'Pagila: pg_restore of pg_dump -Fc -> empty db',
      group: 'pagila',
      prepare: async (c) => {
        await preparePagilaRestores(c);
        await recreateEmptyDatabase(c.databases.pagilaPgRestore);
        // The dump of `-n public` creates the schema itself.
        await withClient(c.databases.pagilaPgRestore, (client) => client.query('drop schema public'));
      },
      run: (c) => timedCommand(postgresClient('pg_restore'), ['--no-owner', '-d', c.databases.pagilaPgRestore, c.pagilaDumpFile!]),
    },
    {
      id: 'pagila_rp_restore',
      label: 'Pagila: restorepoint restore -> empty db (stored DDL)',
      group: 'pagila',
      prepare: async (c) => {
        await preparePagilaRestores(c);
        await recreateEmptyDatabase(c.databases.pagilaEmpty);
      },
      run: (c) => timedRestore(c, c.pagilaExportId!, 'pagila_empty', true),
    },
    // One table, read as 1, 2 and 4 ctid page ranges by as many readers under one snapshot.
    ...SPLIT_READERS.map(
      (readers): Contender => ({
        id: `rp_export_split_${readers}`,
        label: `restorepoint export, one table as ${readers} ctid range${readers > 1 ? 's' : ''} (${readers} reader${readers > 1 ? 's' : ''})`,
        group: 'split',
        run: (c, runNo) => exportAndDiscard(c, folderDestination(c, `split-${readers}-${runNo}`), { source: 'bench', tables: [BENCH_TABLE], concurrency: readers, split: { minBytes: 0, ranges: readers } }),
      }),
    ),
    // One table as range activities, on 1 or 3 worker processes of one task queue; CPU summed over them.
    ...SCALE_OUT_WORKERS.map(
      (workers): Contender => ({
        id: `rp_export_ranges_${workers}w`,
        label: `restorepoint export, one table as ${SCALE_OUT_RANGES} range activities on ${workers} worker${workers > 1 ? 's' : ''}`,
        group: 'split',
        prepare: async (c) => {
          c.scaleOut ??= new Map();
          if (!c.scaleOut.has(workers)) c.scaleOut.set(workers, await startScaleOut(c, workers));
        },
        run: async (c, runNo) => {
          const destination = folderDestination(c, `ranges-${workers}w-${runNo}`);
          try {
            return await exportAcrossWorkers(c.scaleOut!.get(workers)!, BENCH_TABLE, destination, SCALE_OUT_RANGES);
          } finally {
            await removeDestination(c, destination);
          }
        },
      }),
    ),
    // COPY's binary format against CSV, each through the export pipeline and through load-part into two kinds of empty table.
    ...COPY_FORMATS.map(
      (format): Contender => ({
        id: `copy_out_${format}`,
        label: `COPY TO (format ${format}) -> reader -> zstd -> folder`,
        group: 'binary',
        run: async (c, runNo) => {
          const directory = path.join(c.workDir, 'copy-format-out', `${format}-${runNo}`);
          try {
            return (await exportInFormat(c, format, directory)).measurement;
          } finally {
            fs.rmSync(directory, { recursive: true, force: true });
          }
        },
      }),
    ),
    ...(Object.keys(COPY_TARGETS) as CopyTarget[]).flatMap((target) =>
      COPY_FORMATS.map(
        (format): Contender => ({
          id: `copy_in_${format}_${target}`,
          label: `zstd parts -> COPY FROM (format ${format}), ${target === 'pk' ? 'with primary key' : 'no indexes'}`,
          group: 'binary',
          prepare: async (c) => {
            await copyFormatInput(c, format);
            await emptyCopyTarget(c, target);
          },
          run: async (c) => {
            const input = await copyFormatInput(c, format);
            return loadInFormat(c, format, target, input.directory, input.parts);
          },
        }),
      ),
    ),
  ];
}
