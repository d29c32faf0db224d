import type pg from 'pg';
import { openConnection } from '../../postgres/connect';
import { to as copyTo } from 'pg-copy-streams';
import { getRun, saveResults } from '../../catalog/verification-repo';
import { RestorepointError } from '../../core/errors';
import type { ManifestTable } from '../../core/manifest';
import type { TableVerdict } from '../../core/verification/table-verdict';
import { copyOutStatement } from '../../postgres/copy-statements';
import { qualifiedName, quoteIdent } from '../../postgres/queryable';
import { scratchTableName } from '../../postgres/scratch-names';
import { applyExportSessionSettings } from '../../postgres/session-settings';
import { fingerprintCsvRows } from '../../streams/row-fingerprint';
import { JSONL_QUOTE } from '../../streams/row-scanner';
import { resolveSource, type ActivityDeps } from '../deps';
import { keepHeartbeating } from './keep-heartbeating';
import type { ScratchCopy } from './run-lifecycle';
import { readManifest } from './read-manifest';
import { unknownColumnTypes } from '../restore/unknown-types';
import { assertScratchSchema } from './scratch-schema';
import { finishedExport } from './verify-objects';

export interface CompareScratchInput extends ScratchCopy {
  readonly runId: string;
  readonly exportId: string;
  /** Rows the restore reported loading. */
  readonly restoredRows: number;
}

/**
 * The restore level's proof: each table of the scratch copy is compared with what the
 * export recorded about it. Appends the table verdicts and the restore outcome to the run.
 */
export function createScratchCopyActivities(deps: ActivityDeps) {
  return {
    async compareScratchCopy(input: CompareScratchInput): Promise<void> {
      assertScratchSchema(input.schema);
      const record = await finishedExport(deps, input.exportId);
      const { verdict, manifest } = await readManifest(deps.openStore(record.destination), record);
      if (!manifest?.full || verdict.status !== 'ok') throw new RestorepointError('MANIFEST_TAMPERED', `the manifest of ${input.exportId} changed during its verification`, { exportId: input.exportId });
      const { tables } = manifest.full;
      const out: TableVerdict[] = [];
      const verdicts = await keepHeartbeating(
        () => ({ tables: out.length, of: tables.length }),
        () =>
          withTarget(deps, input.target, async (client) => {
            const asText = await unknownColumnTypes(client, tables);
            for (const table of tables) out.push(await compareTable(client, input.schema, table, scratchTableName(table, tables), asText));
            return out;
          }),
      );
      const run = await getRun(deps.catalog, input.runId);
      // The object phase's table verdicts stay; a retry replaces only this phase's own.
      const earlier = (run?.results.tables ?? []).filter((t) => t.status === 'row-count mismatch' && t.stage === 'manifest');
      await saveResults(deps.catalog, input.runId, {
        tables: [...earlier, ...verdicts],
        restore: { status: 'ok', target: input.target, schema: input.schema, rows: input.restoredRows },
      });
    },

    /** Drops a run's scratch copy; idempotent, and refuses any schema not named as one. */
    async dropScratchCopy(input: ScratchCopy): Promise<void> {
      assertScratchSchema(input.schema);
      await withTarget(deps, input.target, (client) => client.query(`drop schema if exists ${quoteIdent(input.schema)} cascade`));
    },
  };
}

/**
 * Compares a restored table with the export's record of it. With a recorded fingerprint the
 * scratch table is copied out as the export copied the source (same COPY form, same session
 * settings) and its rows hashed: equal row count and sum mean the same rows. Manifests
 * without one (older, Parquet) are compared by row count. The scratch copy holds the exported
 * columns only (generated columns are not exported), which is what both describe. A column
 * the scratch copy holds as text (`asText`: a type the target does not know) prints as the
 * source did in CSV, but not in JSON (a domain over integer would become a string), so such a
 * table of a JSON-lines export is compared by row count.
 */
async function compareTable(client: pg.ClientBase, schema: string, table: ManifestTable, scratchName: string, asText: ReadonlySet<string>): Promise<TableVerdict> {
  const name = `${table.schema}.${table.name}`;
  const printsAsExported = table.fingerprint?.over === 'csv' || !table.columns.some((c) => c.generated === null && asText.has(c.type));
  if (table.fingerprint && printsAsExported) {
    const columns = table.columns.filter((c) => c.generated === null).map((c) => c.name);
    const statement = copyOutStatement({ schema, name: scratchName, kind: 'table' }, columns, table.fingerprint.over, table.columns.filter((c) => c.jsonlText).map((c) => c.name));
    const restored = await fingerprintCsvRows(client.query(copyTo(statement)), table.fingerprint.over === 'csv' ? 0x22 : JSONL_QUOTE);
    if (restored.rows !== table.fingerprint.rows) return { table: name, status: 'row-count mismatch', stage: 'scratch copy', expected: table.fingerprint.rows, actual: restored.rows };
    if (restored.sum !== table.fingerprint.sum) return { table: name, status: 'fingerprint mismatch', expected: table.fingerprint.sum, actual: restored.sum };
    return { table: name, status: 'ok', rows: restored.rows, compared: 'fingerprint' };
  }
  const counted = await client.query<{ n: string }>(`select count(*)::text as n from only ${qualifiedName(schema, scratchName)}`);
  const rows = Number(counted.rows[0]!.n);
  if (rows !== table.rows) return { table: name, status: 'row-count mismatch', stage: 'scratch copy', expected: table.rows, actual: rows };
  return { table: name, status: 'ok', rows, compared: 'row count' };
}

async function withTarget<T>(deps: ActivityDeps, target: string, work: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  const client = await openConnection(resolveSource(deps.config, target).url, 'restorepoint-verify');
  try {
    // Values print as they did at export time, so fingerprints compare.
    await applyExportSessionSettings(client);
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
