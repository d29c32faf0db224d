import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { RestorepointError } from '../../core/errors';
import type { RevertSelection } from '../../core/rollback/rollback-input';
import type { ConstraintConflict, PreviewSamples, RollbackPreview, SampleRow, TablePreview } from '../../core/rollback/rollback-preview';
import type { ValidationReport } from '../../core/rollback/rollback-state';
import { qualifiedName } from '../../postgres/queryable';
import { planInverse, renderInverseSql, type InversePlan } from '../../trail';
import type { ActivityDeps } from '../deps';
import type { ApplyResult } from './apply-rollback';
import { keepAlive } from './keep-alive';
import { revertLiveScope } from './revert-validate';
import { liveScopeTables } from './revert-scope';
import { probeSafetySnapshot } from './snapshot-probe';
import { updateRollback } from './rollback-records';
import { countViolations, listScopeForeignKeys } from './scope-foreign-keys';
import { label, type ScopeTable } from './scope-table';
import { withSourceClient } from './source-client';

export interface PreparedRevert {
  readonly tables: readonly ScopeTable[];
  readonly selected: number;
  /** Names the planned operations: apply refuses to run a different plan than the one approved. */
  readonly planDigest: string;
  readonly preview: RollbackPreview;
}

const SAMPLE_ROWS = 5;

function digest(plan: InversePlan): string {
  return createHash('sha256').update(JSON.stringify(plan.operations.map((o) => [o.kind, o.schema, o.table, o.undoes.xid, o.undoes.seq]))).digest('hex');
}

export function createRevertActivities(deps: ActivityDeps) {
  return {
    /**
     * Plans the undoing of the selected trail entries (sealing the trail first) and turns
     * the plan into a preview: per table the rows put back, removed and set back, and as
     * conflicts the entries someone else changed again later. Changes no data.
     */
    async prepareRevert(request: { rollbackId: string; source: string; selection: RevertSelection }): Promise<PreparedRevert> {
      const prepared = await keepAlive(() =>
        withSourceClient(deps, request.source, 'revert-plan', async (db) => {
          const plan = await planInverse(db, request.selection);
          if (plan.selected === 0) throw new RestorepointError('INPUT_INVALID', `no sealed trail entries of ${request.source} match ${JSON.stringify(request.selection)}; nothing to revert`);
          const tables = await liveScopeTables(db, [...plan.operations, ...plan.conflicts.map((c) => c.entry)].map((o) => ({ schema: o.schema, table: o.table })));
          return { plan, tables, liveFingerprints: await revertLiveScope(db, tables) };
        }),
      );
      const { plan, tables } = prepared;
      await probeSafetySnapshot(deps, request.source, [...new Set(tables.map((t) => t.schema))]);
      const byTable = new Map<string, { inserts: number; updates: number; deletes: number }>();
      const samples = new Map<string, { inserts: { after: SampleRow }[]; updates: { before: SampleRow; after: SampleRow }[]; deletes: { before: SampleRow }[] }>();
      for (const o of plan.operations) {
        const name = `${o.schema}.${o.table}`;
        const counts = byTable.get(name) ?? { inserts: 0, updates: 0, deletes: 0 };
        const sample = samples.get(name) ?? { inserts: [], updates: [], deletes: [] };
        byTable.set(name, counts);
        samples.set(name, sample);
        // Samples name the row by key: the values themselves stay in the trail.
        const key: SampleRow = { ...(o.key ?? {}) };
        if (o.kind === 'insert') {
          counts.inserts += 1;
          if (sample.inserts.length < SAMPLE_ROWS) sample.inserts.push({ after: key });
        } else if (o.kind === 'update') {
          counts.updates += 1;
          if (sample.updates.length < SAMPLE_ROWS) sample.updates.push({ before: key, after: { setBack: o.columns } });
        } else {
          counts.deletes += 1;
          if (sample.deletes.length < SAMPLE_ROWS) sample.deletes.push({ before: key });
        }
      }
      const previewTables: TablePreview[] = [...byTable].map(([table, c]) => ({ table, ...c, changedSinceTarget: [] }));
      const conflicts = new Map<string, ConstraintConflict>();
      for (const c of plan.conflicts) {
        const table = `${c.entry.schema}.${c.entry.table}`;
        const by = c.laterEntry ? ` by ${c.laterEntry.actor} (xid ${c.laterEntry.xid})` : '';
        const id = `${table}|${c.reason}|${by}`;
        const found = conflicts.get(id);
        conflicts.set(id, { constraint: c.reason, table, rows: (found?.rows ?? 0) + 1, problem: `${c.reason}${by}` });
      }
      const constraintConflicts = [...conflicts.values()];
      const sum = (pick: (t: TablePreview) => number) => previewTables.reduce((s, t) => s + pick(t), 0);
      const preview: RollbackPreview = {
        tables: previewTables,
        foreignKeys: [],
        constraintConflicts,
        liveFingerprints: prepared.liveFingerprints,
        totals: { inserts: sum((t) => t.inserts), updates: sum((t) => t.updates), deletes: sum((t) => t.deletes), changedSinceTarget: 0, conflicts: constraintConflicts.reduce((s, c) => s + c.rows, 0) },
      };
      const stored: PreviewSamples[] = [...samples].map(([table, s]) => ({ table, ...s }));
      await updateRollback(deps.catalog, request.rollbackId, { preview, samples: stored });
      return { tables, selected: plan.selected, planDigest: digest(plan), preview };
    },

    /**
     * Runs the inverse statements in one transaction under EXCLUSIVE locks, as the rollback
     * recorded in the trail (`restorepoint.actor` = rollback:<id>). Each statement must touch
     * exactly its one row — a row someone changed since stops everything — and foreign keys
     * are checked over the touched tables before commit.
     */
    async applyRevert(request: { rollbackId: string; source: string; selection: RevertSelection; planDigest: string; tables: readonly ScopeTable[]; lockTimeoutSeconds: number; actor?: string }): Promise<ApplyResult> {
      return keepAlive(() =>
        withSourceClient(deps, request.source, 'apply', async (db) => {
          const plan = await planInverse(db, request.selection);
          if (digest(plan) !== request.planDigest) throw new RestorepointError('SCOPE_CHANGED', 'the trail entries selected changed since the preview was approved; the revert stopped and changed nothing (preview again)');
          if (plan.conflicts.length > 0) throw new RestorepointError('ROLLBACK_REFUSED', `${plan.conflicts.length} selected entries were changed again later; nothing was changed`);
          const rendered = renderInverseSql(plan);
          try {
            await db.query('begin');
            await db.query(`set local lock_timeout = '${request.lockTimeoutSeconds}s'`);
            await db.query(`lock table ${request.tables.map((t) => qualifiedName(t.schema, t.name)).join(', ')} in exclusive mode`);
            await db.query("select set_config('restorepoint.actor', $1, true)", [request.actor ?? `rollback:${request.rollbackId}`]);
            for (const sql of rendered.setup) await db.query(sql);
            let applied = 0;
            for (const statement of rendered.statements) {
              const done = await db.query(statement.sql, [...statement.params]);
              if (done.rowCount !== statement.expectedRows) {
                throw new RestorepointError('SCOPE_CHANGED', `a row undone by entry ${statement.undoes.xid}/${statement.undoes.seq} no longer holds what the trail says (changed since); the revert stopped and changed nothing`);
              }
              applied += 1;
              if (applied % 500 === 0) Context.current().heartbeat({ applied });
            }
            for (const fk of await listScopeForeignKeys(db, request.tables)) {
              const violations = await countViolations(db, fk, qualifiedName(fk.child.schema, fk.child.name), qualifiedName(fk.parent.schema, fk.parent.name));
              if (violations > 0) throw new RestorepointError('ROLLBACK_REFUSED', `${violations} rows of ${label(fk.child)} would reference missing ${label(fk.parent)} rows (${fk.name}); nothing was changed`);
            }
            const liveAfter = await revertLiveScope(db, request.tables);
            await db.query('commit');
            const count = (kind: string) => plan.operations.filter((o) => o.kind === kind).length;
            return { liveAfter, alreadyApplied: false, deleted: count('delete'), upserted: count('insert') + count('update'), sequences: 0 };
          } catch (error) {
            await db.query('rollback').catch(() => undefined);
            if ((error as { code?: string }).code === '55P03') throw new RestorepointError('SCOPE_CHANGED', `a writer held the touched tables for more than ${request.lockTimeoutSeconds}s; the revert stopped and changed nothing`);
            throw error;
          }
        }),
      );
    },

    /** After a revert: foreign keys over the touched tables, and their fingerprints. */
    async validateRevert(request: { rollbackId: string; source: string; tables: readonly ScopeTable[] }): Promise<ValidationReport> {
      const report = await withSourceClient(deps, request.source, 'validate', async (db) => {
        const orphans: Record<string, number> = {};
        for (const fk of await listScopeForeignKeys(db, request.tables)) {
          orphans[`${fk.name} (${label(fk.child)} → ${label(fk.parent)})`] = await countViolations(db, fk, qualifiedName(fk.child.schema, fk.child.name), qualifiedName(fk.parent.schema, fk.parent.name));
        }
        const fingerprints = await revertLiveScope(db, request.tables);
        return { differences: {}, orphans, fingerprints, ok: Object.values(orphans).every((n) => n === 0) } satisfies ValidationReport;
      });
      await updateRollback(deps.catalog, request.rollbackId, { validation: report });
      return report;
    },
  };
}
