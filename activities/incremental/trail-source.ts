import type pg from 'pg';
import { withConnection } from '../../postgres/connect';
import { RestorepointError } from '../../core/errors';
import type { ManifestTable } from '../../core/manifest';
import { sourceIdentity } from '../../postgres/introspect';
import { trackedTables, trailInstalled } from '../../trail';

/** One connection to a source for trail work (the trail's functions need a single connection). */
export async function withTrailClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  return withConnection(url, 'restorepoint-trail', work);
}

/**
 * Refuses a source that is not the database the base export read (another cluster or another
 * database: its trail positions mean something else), or whose trail does not capture every
 * table of the base completely. Either would make a delta silently miss changes.
 */
export async function checkTrailCovers(
  client: pg.ClientBase,
  base: { readonly source: { readonly database: string; readonly systemIdentifier: string }; readonly tables: readonly Pick<ManifestTable, 'schema' | 'name'>[] },
): Promise<void> {
  const identity = await sourceIdentity(client);
  if (identity.systemIdentifier !== base.source.systemIdentifier || identity.database !== base.source.database) {
    throw new RestorepointError('CHAIN_BROKEN', `the source is now database ${identity.database} of cluster ${identity.systemIdentifier}, not ${base.source.database} of ${base.source.systemIdentifier} as in the base export`, {});
  }
  if (!(await trailInstalled(client))) throw new RestorepointError('NOT_TRACKED', 'the source has no change trail: run `restorepoint track` on its tables, then take a full export', {});
  const complete = new Set((await trackedTables(client)).filter((t) => t.captureAlways && !t.keyChanged).map((t) => `${t.schema}.${t.name}`));
  const missing = base.tables.map((t) => `${t.schema}.${t.name}`).filter((name) => !complete.has(name));
  if (missing.length > 0) {
    throw new RestorepointError('NOT_TRACKED', `changes to ${missing.join(', ')} are not (fully) captured, so a delta would miss them: track them and take a new full export`, { tables: missing });
  }
}
