import type { ValidationReport } from '../../core/rollback/rollback-state';
import { qualifiedName, quoteIdent } from '../../postgres/queryable';
import type { ActivityDeps } from '../deps';
import { countDiff, fingerprint } from './diff-sql';
import { updateRollback } from './rollback-records';
import { countViolations, listScopeForeignKeys } from './scope-foreign-keys';
import { label, tableSql, type ScopeTable } from './scope-table';
import { keepAlive } from './keep-alive';
import { withSourceClient } from './source-client';

export interface ValidateRequest {
  readonly rollbackId: string;
  readonly source: string;
  readonly stagingSchema: string;
  readonly tables: readonly ScopeTable[];
  /** Side by side, live data is not expected to equal the target: only the staged copy's own keys are checked. */
  readonly compareLive: boolean;
}

export function createValidateActivity(deps: ActivityDeps) {
  /**
   * Compares live data in scope with the staged target again (zero differences expected),
   * checks every foreign key touching the scope, and records fingerprints. A report, not
   * an exception: the workflow decides what a failed check means.
   */
  return async function validateRollback(request: ValidateRequest): Promise<ValidationReport> {
    const report = await keepAlive(() => withSourceClient(deps, request.source, 'validate', async (db) => {
      await db.query('begin isolation level repeatable read read only');
      const differences: Record<string, number> = {};
      const fingerprints: Record<string, string> = {};
      const orphans: Record<string, number> = {};
      for (const t of request.tables) {
        const q = tableSql(t, request.stagingSchema);
        if (request.compareLive) {
          const d = await countDiff(db, t, request.stagingSchema);
          differences[label(t)] = d.inserts + d.updates + d.deletes;
        }
        fingerprints[request.compareLive ? label(t) : `${request.stagingSchema}.${t.name}`] = await fingerprint(db, t, request.compareLive ? q.liveRows : q.stage);
      }
      if (request.compareLive) {
        for (const fk of await listScopeForeignKeys(db, request.tables)) {
          const n = await countViolations(db, fk, qualifiedName(fk.child.schema, fk.child.name), qualifiedName(fk.parent.schema, fk.parent.name));
          orphans[`${fk.name} (${label(fk.child)} → ${label(fk.parent)})`] = n;
        }
      }
      await db.query('commit');
      const ok = Object.values(differences).every((n) => n === 0) && Object.values(orphans).every((n) => n === 0);
      return { differences, orphans, fingerprints, ok } satisfies ValidationReport;
    }));
    await updateRollback(deps.catalog, request.rollbackId, { validation: report });
    return report;
  };
}

export function createDropStagingActivity(deps: ActivityDeps) {
  /** Removes a staging schema once the rollback no longer needs it; harmless when gone. */
  return async function dropStaging(request: { source: string; schema: string }): Promise<void> {
    await withSourceClient(deps, request.source, 'cleanup', (db) => db.query(`drop schema if exists ${quoteIdent(request.schema)} cascade`));
  };
}
