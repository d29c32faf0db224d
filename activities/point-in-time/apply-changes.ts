import { Context } from '@temporalio/activity';
import { openConnection } from '../../postgres/connect';
import { asTypedDatabaseError, RestorepointError } from '../../core/errors';
import type { RestorePlan } from '../../core/restore-points';
import { selectTables } from '../../core/table-patterns';
import { qualifiedName } from '../../postgres/queryable';
import { resolveSource, type ActivityDeps } from '../deps';
import { loadVerifiedManifest } from '../restore/load-manifest';
import { createEntryTables, loadDeltaEntries, loadLiveEntries, selectReplay } from './load-entries';
import { replaySegmentSql, replayTruncateSql } from './replay-sql';

export interface ApplyChangesInput {
  readonly reconstructionId: string;
  readonly plan: RestorePlan;
  /** A configured source name (or `local:<database>`) holding the restored base. */
  readonly target: string;
  readonly targetSchema?: string;
  /** Table patterns, as given to the base restore; empty: every table of the base. */
  readonly tables: readonly string[];
}

export interface ApplyChangesSummary {
  /** Entries read (archived and live) and the ones replayed after the time and snapshot filters. */
  readonly entriesRead: number;
  readonly entriesReplayed: number;
  readonly tables: readonly { readonly table: string; readonly entries: number }[];
}

export function createApplyChangesActivity(deps: ActivityDeps) {
  /**
   * Brings a target holding a restored base export to the plan's point in time, in one
   * transaction: the deltas' archived entries and the tail (a later delta's archive or the
   * source's live trail) are loaded, filtered to the point in time, and replayed per table in
   * position order, truncates splitting the runs. User triggers and foreign-key triggers are
   * off while replaying (session_replication_role = replica, which needs a superuser or
   * GRANT SET), since the entries already hold what triggers wrote.
   */
  return async function applyChanges(input: ApplyChangesInput): Promise<ApplyChangesSummary> {
    const { plan } = input;
    const { manifest: base } = await loadVerifiedManifest(deps, plan.base.exportId);
    const tables = selectTables(base.tables, input.tables, []);
    const heartbeat = (detail: unknown) => Context.current().heartbeat(detail);
    const client = await openConnection(resolveSource(deps.config, input.target).url, 'restorepoint-reconstruct');
    try {
      await client.query('begin');
      await client.query('set local session_replication_role = replica');
      await createEntryTables(client);
      let entriesRead = 0;
      for (const delta of plan.deltas) {
        entriesRead += await loadDeltaEntries(deps, client, delta.exportId);
        heartbeat({ loaded: delta.exportId });
      }
      if (plan.tail.kind === 'archive') entriesRead += await loadDeltaEntries(deps, client, plan.tail.exportId);
      if (plan.tail.kind === 'live') {
        const last = plan.deltas.at(-1) ?? plan.base;
        entriesRead += await loadLiveEntries(resolveSource(deps.config, plan.source).url, client, last.trailTo!);
      }
      const entriesReplayed = await selectReplay(client, plan.at, plan.baseSnapshot);

      const replayed: { table: string; entries: number }[] = [];
      for (const table of tables) {
        const target = qualifiedName(input.targetSchema ?? table.schema, table.name);
        const counted = await client.query<{ n: string }>('select count(*)::text as n from restorepoint_replay where schema_name = $1 and table_name = $2', [table.schema, table.name]);
        const truncates = await client.query<{ position: string; partition_name: string | null }>(
          `select position::text, partition_name from restorepoint_replay where schema_name = $1 and table_name = $2 and op = 'truncate' order by position`,
          [table.schema, table.name],
        );
        let after = 0;
        for (const cut of [...truncates.rows, null]) {
          const before = cut === null ? Number.MAX_SAFE_INTEGER : Number(cut.position);
          for (const sql of replaySegmentSql(target, table)) await client.query(sql, sql.includes('$1') ? [table.schema, table.name, after, before] : []);
          if (cut !== null) {
            if (cut.partition_name !== null && input.targetSchema) {
              throw new RestorepointError('RESTORE_FAILED', `${table.schema}.${table.name}: a truncate of partition ${cut.partition_name} cannot be replayed into a plain copy in schema ${input.targetSchema}; reconstruct into a database instead`);
            }
            await client.query(replayTruncateSql(target, cut.partition_name));
            after = before;
          }
        }
        replayed.push({ table: `${table.schema}.${table.name}`, entries: Number(counted.rows[0]?.n ?? 0) });
        heartbeat({ replayed: `${table.schema}.${table.name}` });
      }
      await client.query('commit');
      return { entriesRead, entriesReplayed, tables: replayed };
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw asTypedDatabaseError(error, 'RESTORE_FAILED', `replaying changes for ${input.reconstructionId} into ${input.target} failed and was rolled back`);
    } finally {
      await client.end().catch(() => undefined);
    }
  };
}
