import type { Knex } from 'knex';
import { listChainLinks } from '../../catalog/chain-repo';
import { RestorepointError } from '../../core/errors';
import { planRestorePoint, type RestorePlan } from '../../core/restore-points';

/**
 * Resolves a point in time to the restore chain that reconstructs `source` at `at` (ISO 8601):
 * the base full export, the incremental exports applied whole, and where the remaining trail
 * entries come from (a later delta's archive, or the source's live trail). Reads the catalog
 * only; the chain's objects are checked when it is used. Throws NO_RESTORE_POINT when no chain
 * covers `at`. The rollback feature calls this to turn "before the accident" into exports.
 */
export async function resolveRestorePoint(catalog: Knex, source: string, at: string): Promise<RestorePlan> {
  const result = planRestorePoint(await listChainLinks(catalog, { source }), source, at);
  if (!result.ok) throw new RestorepointError('NO_RESTORE_POINT', result.problem, { source, at });
  return result.plan;
}
