import fs from 'node:fs';
import path from 'node:path';
import { startExport } from '../client/exports';
import { exportInputSchema } from '../core/export-input';
import { trackTables } from '../trail';
import { folderDestination, type BenchContext } from './bench-context';
import { restorepointExport, type Contender } from './contenders';
import { BENCH_TABLE, withClient } from './dataset';

/** The changes the issue asks an incremental export to be timed after. */
export const INCREMENTAL_CHANGE_COUNTS = [1_000, 100_000] as const;

/** A tracked copy of BENCH_TABLE: the trail's triggers never touch the tables the others read. */
const INCREMENTAL_TABLE = 'bench_incr';

/** Whether exports take `mode: 'incremental'` (core/export-input.ts; the change-trail issue builds it). */
export function incrementalExportAvailable(): boolean {
  return 'mode' in exportInputSchema.shape;
}

/** Once per benchmark run (not timed): the tracked table, and a full export as the chain's base. */
async function ensureChainBase(context: BenchContext): Promise<void> {
  if (context.incrementalHead) return;
  await withClient(context.databases.source, async (c) => {
    await c.query(`drop table if exists ${INCREMENTAL_TABLE}`);
    await c.query(`create table ${INCREMENTAL_TABLE} (like ${BENCH_TABLE} including all)`);
    await c.query(`insert into ${INCREMENTAL_TABLE} select * from ${BENCH_TABLE}`);
    await c.query(`vacuum (freeze, analyze) ${INCREMENTAL_TABLE}`);
    await trackTables(c, [`public.${INCREMENTAL_TABLE}`]);
  });
  const destination = folderDestination(context, 'incremental-chain');
  const base = await startExport(context.client, { source: 'bench', tables: [INCREMENTAL_TABLE], destination, requestedBy: 'bench' });
  context.incrementalHead = { exportId: (await base.result()).exportId, destination };
}

/** `count` updates of consecutive ids, a different range each run (not timed). */
async function applyChanges(context: BenchContext, count: number, runNo: number): Promise<void> {
  const first = ((runNo * count) % Math.max(1, context.rows - count)) + 1;
  await withClient(context.databases.source, (c) =>
    c.query(`update ${INCREMENTAL_TABLE} set quantity = quantity + 1, active = not active where id between $1 and $2`, [first, first + count - 1]),
  );
}

/**
 * A delta export after `count` changes to a table as big as BENCH_TABLE, each following the
 * previous export of the chain; the report compares it with the full export of BENCH_TABLE
 * (target: 1k changes < 5% of the full export's time).
 */
export function incrementalContenders(): Contender[] {
  if (!incrementalExportAvailable()) return [];
  return INCREMENTAL_CHANGE_COUNTS.map(
    (count): Contender => ({
      id: `rp_incremental_${count}`,
      label: `restorepoint incremental export, ${count.toLocaleString('en')} changes`,
      group: 'incremental',
      optional: true,
      prepare: async (c) => {
        await ensureChainBase(c);
      },
      run: async (c, runNo) => {
        await applyChanges(c, count, runNo);
        const head = c.incrementalHead!;
        const { exportId, manifestKey, ...measured } = await restorepointExport(c, {
          source: 'bench',
          tables: [INCREMENTAL_TABLE],
          destination: head.destination,
          mode: 'incremental',
          parentExportId: head.exportId,
        });
        const manifest = JSON.parse(fs.readFileSync(path.join(head.destination.slice('file://'.length), manifestKey), 'utf8')) as { mode?: string };
        // Until incremental exports are built, the mode is accepted but a full export is written.
        if (manifest.mode !== 'incremental') throw new Error(`asked for an incremental export, got a "${manifest.mode}" one`);
        c.incrementalHead = { exportId, destination: head.destination };
        return measured;
      },
    }),
  );
}
