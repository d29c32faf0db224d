import type { Knex } from 'knex';
import { z } from 'zod';
import type { PlannedExport, PlannedOrphan, RetentionPlan, RetentionPolicy } from '../core/retention';
import { int8 } from './int8';
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

const tallySchema = z.object({
  deleted: int8,
  objects_deleted: int8,
  bytes_deleted: int8,
  tiered: int8,
  objects_tiered: int8,
  skipped: int8,
  orphans_removed: int8,
  orphan_bytes_removed: int8,
});

/**
 * What a run really did, counted from its plan's ledger entries (each deletion, tiering, skip
 * and orphan removal writes one, in the same transaction as a deletion): a batch that failed
 * part-way, or a workflow that never heard back, still has its finished steps counted. Each
 * export counts once however often a retry logged it.
 */
export async function tallyRetentionRun(db: Knex, planId: string): Promise<RetentionApplied> {
  const result = await db.raw<{ rows: unknown[] }>(
    `select count(distinct subject) filter (where action = 'retention.deleted') as deleted,
            coalesce(sum((details->>'objectsDeleted')::bigint) filter (where action = 'retention.deleted'), 0) as objects_deleted,
            coalesce(sum((details->>'bytesDeleted')::bigint) filter (where action = 'retention.deleted'), 0) as bytes_deleted,
            count(distinct subject) filter (where action = 'retention.tiered') as tiered,
            coalesce(sum((details->>'objectsMoved')::bigint) filter (where action = 'retention.tiered'), 0) as objects_tiered,
            count(distinct subject) filter (where action = 'retention.skipped') as skipped,
            coalesce(sum((details->>'removed')::bigint) filter (where action = 'retention.orphans-removed'), 0) as orphans_removed,
            coalesce(sum((details->>'bytes')::bigint) filter (where action = 'retention.orphans-removed'), 0) as orphan_bytes_removed
       from ledger
      where action in ('retention.deleted', 'retention.tiered', 'retention.skipped', 'retention.orphans-removed') and details->>'planId' = ?`,
    [planId],
  );
  const t = tallySchema.parse(result.rows[0]);
  return {
    deleted: t.deleted,
    tiered: t.tiered,
    skipped: t.skipped,
    objectsDeleted: t.objects_deleted,
    bytesDeleted: t.bytes_deleted,
    objectsTiered: t.objects_tiered,
    orphansRemoved: t.orphans_removed,
    orphanBytesRemoved: t.orphan_bytes_removed,
  };
}

/** The orphans a stored plan lists, with the policy's grace, for the removal step. */
export async function plannedOrphans(db: Knex, planId: string): Promise<{ readonly orphans: readonly PlannedOrphan[]; readonly now: string; readonly graceHours: number }> {
  const run = await getRetentionRun(db, planId);
  if (!run) throw new Error(`retention run ${planId} is not in the catalog`);
  return { orphans: run.plan.orphans ?? [], now: run.plan.now, graceHours: run.policy.orphanGraceHours ?? 24 };
}
