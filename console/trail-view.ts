import type { Knex } from 'knex';
import pg from 'pg';
import { resolveSource } from '../activities/deps';
import { listChainLinks } from '../catalog/chain-repo';
import type { Config } from '../config/schema';
import { isRestorepointError } from '../core/errors';
import { planRestorePoint } from '../core/restore-points';
import { trailInstalled } from '../trail/install-trail';
import { trackedTables } from '../trail/trail-status';

/** A span of time in which a point-in-time rollback of the tracked tables resolves. */
export interface CoverageSpan {
  readonly from: Date;
  /** Null: up to now, the live trail (capture is on). */
  readonly to: Date | null;
}

export interface TableLag {
  /** `schema.table`. */
  readonly table: string;
  /** The newest trail entry of the table; null when it has none yet. */
  readonly newestAt: Date | null;
}

/** What the console shows of a source's change trail: names and times only, never a row image. */
export type TrailView =
  | { readonly state: 'untracked' }
  | { readonly state: 'unreadable'; readonly reason: string }
  | {
      readonly state: 'tracked';
      readonly tables: readonly string[];
      readonly coverage: readonly CoverageSpan[];
      readonly lag: readonly TableLag[];
      /** Actors with changes in the last 30 days, most recent first: the revert step offers them. */
      readonly actors: readonly string[];
      /** The database's clock when read: lag is measured against it, not the console's. */
      readonly now: Date;
    };

/**
 * Reads the trail of `source` with one short-lived, read-only connection (the configuration
 * the CLI uses; a statement timeout keeps a big trail from holding a page). Coverage comes from
 * the library's own rule: a span starts at the oldest whole export from which `planRestorePoint`
 * resolves the tracked tables, and runs to now on the live trail.
 */
export async function readTrail(config: Config, catalog: Knex, source: string): Promise<TrailView> {
  const client = new pg.Client({ connectionString: resolveSource(config, source).url, application_name: 'restorepoint-console', options: '-c statement_timeout=10000 -c default_transaction_read_only=on' });
  try {
    await client.connect();
    if (!(await trailInstalled(client))) return { state: 'untracked' };
    const tables = (await trackedTables(client)).map((t) => `${t.schema}.${t.name}`);
    if (tables.length === 0) return { state: 'untracked' };
    const newest = await client.query<{ table: string; newest_at: Date }>(
      `select schema_name || '.' || table_name as table, max(at) as newest_at from restorepoint_trail.change group by schema_name, table_name`,
    );
    const newestOf = new Map(newest.rows.map((r) => [r.table, r.newest_at]));
    const actors = await client.query<{ actor: string }>(
      `select actor from restorepoint_trail.change where at > clock_timestamp() - interval '30 days' group by actor order by max(at) desc limit 20`,
    );
    const now = (await client.query<{ now: Date }>('select clock_timestamp() as now')).rows[0]!.now;
    return {
      state: 'tracked',
      tables,
      coverage: coverageSpans(await listChainLinks(catalog, { source }), source, tables),
      lag: tables.map((table) => ({ table, newestAt: newestOf.get(table) ?? null })),
      actors: actors.rows.map((r) => r.actor),
      now,
    };
  } catch (error) {
    return { state: 'unreadable', reason: isRestorepointError(error) ? error.code : ((error as { code?: string }).code ?? (error as Error).name) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** From the oldest whole export at whose moment the tables resolve, to now on the live trail; none when no export qualifies. */
export function coverageSpans(links: Parameters<typeof planRestorePoint>[0], source: string, tables: readonly string[]): readonly CoverageSpan[] {
  const moments = links
    .filter((l) => l.mode === 'full' && l.asOf !== null && l.trailTo !== null)
    .map((l) => l.asOf!)
    .sort();
  const first = moments.find((at) => planRestorePoint(links, source, at, tables).ok);
  return first ? [{ from: new Date(first), to: null }] : [];
}
