import fs from 'node:fs';
import path from 'node:path';
import type { RestorepointClient } from '../client/connect';
import type { Config } from '../config/schema';
import type { ManifestPart } from '../core/manifest';
import type { CopyFormat } from './copy-format';
import { openStore } from '../storage/open-store';
import type { BenchDatabases } from './dataset';
import type { ScaleOut } from './scale-out';
import type { WorkerProcess } from './worker-process';

/** Everything a contender needs, set up once per benchmark run. */
export interface BenchContext {
  readonly rows: number;
  readonly databases: BenchDatabases;
  readonly worker: WorkerProcess;
  readonly client: RestorepointClient;
  readonly config: Config;
  /** Scratch folder for dumps, CSV and folder exports; removed at the end. */
  readonly workDir: string;
  /** BENCH_TABLE as COPY CSV, written once, the input of `\copy FROM`. */
  readonly csvFile: string;
  /** The latest `pg_dump -Fc` of BENCH_TABLE, the input of pg_restore. */
  readonly dumpFile: string;
  /** A restorepoint export of BENCH_TABLE, the input of restorepoint's restore. */
  restoreSourceExportId: string;
  /** The same table exported with encryption off, the input of the unencrypted restore (issue 13 item 8). */
  restorePlainExportId: string;
  readonly gcsBucket: string;
  /** A restorepoint export of Pagila and a `pg_dump -Fc` of it, the inputs of the Pagila restores (made by the first one). */
  pagilaExportId?: string;
  pagilaDumpFile?: string;
  /** The newest export of the incremental chain (bench/incremental.ts), once its base exists. */
  incrementalHead?: { readonly exportId: string; readonly destination: string };
  /** Workers on task queues of their own, by count (bench/scale-out.ts), started on first use. */
  scaleOut?: Map<number, ScaleOut>;
  /** BENCH_TABLE's parts in each COPY format (bench/copy-format.ts), the input of that format's loads, made on first use. */
  copyFormatInputs?: Map<CopyFormat, { readonly directory: string; readonly parts: readonly ManifestPart[] }>;
}

/** A fresh folder destination under the work folder. */
export function folderDestination(context: BenchContext, name: string): string {
  const dir = path.join(context.workDir, 'exports', name);
  fs.mkdirSync(dir, { recursive: true });
  return `file://${dir}`;
}

/** Removes an export's objects (folder or bucket prefix), so runs do not fill the disk. */
export async function removeDestination(context: BenchContext, destination: string): Promise<void> {
  if (destination.startsWith('file://')) {
    fs.rmSync(destination.slice('file://'.length), { recursive: true, force: true });
    return;
  }
  const store = openStore(destination, context.config.gcs);
  const keys: string[] = [];
  for await (const object of store.list('')) keys.push(object.key);
  for (const key of keys) await store.delete(key);
}
