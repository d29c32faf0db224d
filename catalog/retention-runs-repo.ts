import type { Knex } from 'knex';
import type { PlannedExport, RetentionPlan, RetentionPolicy } from '../core/retention';
import type { RetentionApplied } from '../core/retention-run-input';

/** A stored retention run: the policy it applied and the plan it made. */
export interface RetentionRunRecord {
  readonly id: string;
  readonly dryRun: boolean;
  readonly requestedBy: string;
  readonly policy: RetentionPolicy;
  readonly plan: RetentionPlan;
  readonly status: 'planned' | 'applying' | 'finished' | 'failed';
  readonly outcome: (RetentionApplied & { readonly error?: string }) | null;
  readonly plannedAt: Date;
  readonly finishedAt: Date | null;
}

interface RunRow {
  id: string;
  dry_run: boolean;
  requested_by: string;
  policy: RetentionPolicy;
  plan: RetentionPlan;
  status: RetentionRunRecord['status'];
  outcome: RetentionRunRecord['outcome'];
  planned_at: Date;
  finished_at: Date | null;
}

const fromRow = (r: RunRow): RetentionRunRecord => ({
  id: r.id,
  dryRun: r.dry_run,
  requestedBy: r.requested_by,
  policy: r.policy,
  plan: r.plan,
  status: r.status,
  outcome: r.outcome,
  plannedAt: r.planned_at,
  finishedAt: r.finished_at,
});

/** Stores a new run; when its id exists (a retried activity) the first plan wins and `created` is false. */
export async function saveRetentionRun(
  db: Knex,
  run: { readonly id: string; readonly dryRun: boolean; readonly requestedBy: string; readonly policy: RetentionPolicy; readonly plan: RetentionPlan },
): Promise<{ readonly created: boolean; readonly run: RetentionRunRecord }> {
  const inserted = (await db('retention_runs')
    .insert({ id: run.id, dry_run: run.dryRun, requested_by: run.requestedBy, policy: JSON.stringify(run.policy), plan: JSON.stringify(run.plan) })
    .onConflict('id')
    .ignore()
    .returning('*')) as RunRow[];
  if (inserted[0]) return { created: true, run: fromRow(inserted[0]) };
  const existing = await getRetentionRun(db, run.id);
  if (!existing) throw new Error(`retention run ${run.id} conflicted on insert but cannot be read`);
  return { created: false, run: existing };
}

export async function getRetentionRun(db: Knex, id: string): Promise<RetentionRunRecord | undefined> {
  const row = (await db('retention_runs').where({ id }).first()) as RunRow | undefined;
  return row && fromRow(row);
}

/** Runs, newest first, without their plans (which can be large). */
export async function listRetentionRuns(db: Knex, limit = 20): Promise<readonly Omit<RetentionRunRecord, 'plan' | 'policy'>[]> {
  const rows = (await db('retention_runs')
    .select('id', 'dry_run', 'requested_by', 'status', 'outcome', 'planned_at', 'finished_at')
    .orderBy([{ column: 'planned_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .limit(limit)) as RunRow[];
  return rows.map((r) => {
    const { plan: _plan, policy: _policy, ...rest } = fromRow(r);
    return rest;
  });
}

/**
 * The plan's entries with action `kind`, in plan order (by source, newest first), from
 * `offset`: read out of the stored JSON by PostgreSQL, so a batch never loads the whole plan.
 */
export async function plannedEntries(db: Knex, planId: string, kind: 'delete' | 'tier', offset: number, limit: number): Promise<PlannedExport[]> {
  const result = await db.raw<{ rows: { entry: PlannedExport }[] }>(
    `select e.entry
       from retention_runs r, jsonb_array_elements(r.plan->'exports') with ordinality as e(entry, n)
      where r.id = ? and e.entry->'action'->>'kind' = ?
      order by e.n offset ? limit ?`,
    [planId, kind, offset, limit],
  );
  return result.rows.map((r) => r.entry);
}

/** Moves a run to `status`; false when it was there already (a retry), so side effects happen once. */
export async function setRetentionRunStatus(db: Knex, id: string, status: 'applying' | 'finished' | 'failed', outcome?: RetentionRunRecord['outcome']): Promise<boolean> {
  const changed = await db('retention_runs')
    .where({ id })
    .whereNot({ status })
    .whereNotIn('status', status === 'applying' ? ['finished', 'failed'] : [])
    .update({
      status,
      outcome: outcome === undefined ? undefined : JSON.stringify(outcome),
      finished_at: status === 'applying' ? undefined : db.fn.now(),
    });
  return changed > 0;
}
