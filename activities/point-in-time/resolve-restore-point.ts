import type { Knex } from 'knex';
import { listChainLinks } from '../../catalog/chain-repo';
import { RestorepointError } from '../../core/errors';
import { planRestorePoint, type RestorePlan } from '../../core/restore-points';

/**
 * Resolves a point in time to the restore chain that reconstructs `tables` (patterns; empty:
 * every table) of `source` at `at` (ISO 8601): the base full export, the incremental exports
 * applied whole, and where the remaining trail entries come from (a later delta's archive, or
 * the source's live trail). The base holds every table asked for: a newer partial export or a
 * rollback's safety snapshot is passed over (core/restore-points/chain-base.ts). Reads the
 * catalog only; the chain's objects are checked when it is used. Throws NO_RESTORE_POINT when
 * no chain covers `at` and the tables, naming what is missing. The rollback feature calls this
 * to turn "before the accident" into exports.
 */
export async function resolveRestorePoint(catalog: Knex, source: string, at: string, tables: readonly string[] = []): Promise<RestorePlan> {
  const result = planRestorePoint(await listChainLinks(catalog, { source }), source, at, tables);
  if (!result.ok) throw new RestorepointError('NO_RESTORE_POINT', result.problem, { source, at, tables });
  return result.plan;
}
