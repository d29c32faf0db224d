import type { Knex } from 'knex';
import { restoreWorkflowId } from '../../core/restore-input';
import { rollbackWorkflowId } from '../../core/rollback/rollback-input';
import { FINAL_STAGES } from '../../core/rollback/rollback-state';
import { verificationWorkflowId } from '../../core/verification/verification-input';

/** Whether a workflow execution is still running; the narrow slice of Temporal that retention needs. */
export interface WorkflowProbe {
  isRunning(workflowId: string): Promise<boolean>;
}

/** One export some workflow may be reading, and that workflow's id. */
export interface ExportReader {
  readonly exportId: string;
  readonly workflowId: string;
  /** e.g. `verification run v-1`, for explanations and the ledger. */
  readonly what: string;
}

/**
 * The exports being read right now: verified (a `running` verification run), restored (a
 * `restore.started` ledger entry without its end) or rolled back to (a rollback not in a final
 * stage), and a running rollback's safety snapshot, which its compensation restores if a later
 * step fails. The catalog names the candidates; Temporal says whether each workflow still runs,
 * so a worker that died mid-run, or a workflow that was terminated, does not pin an export forever.
 * A probe that fails throws (the activity retries): guessing "not busy" could delete what a
 * restore is reading.
 */
export async function findBusyExports(db: Knex, probe: WorkflowProbe, onlyExportId?: string): Promise<ExportReader[]> {
  const candidates = await readerCandidates(db, onlyExportId);
  const running = await Promise.all(candidates.map((c) => probe.isRunning(c.workflowId)));
  return candidates.filter((_, i) => running[i]);
}

/** The workflows reading one export now, as a reason to leave it alone, or null when none is. */
export async function whoReads(db: Knex, probe: WorkflowProbe, exportId: string): Promise<string | null> {
  const readers = await findBusyExports(db, probe, exportId);
  return readers.length === 0 ? null : `being read by ${readers.map((r) => r.what).join(', ')}`;
}

async function readerCandidates(db: Knex, onlyExportId: string | undefined): Promise<ExportReader[]> {
  const verifications = (await db('verification_runs')
    .where({ status: 'running' })
    .modify((q) => {
      if (onlyExportId !== undefined) q.where({ export_id: onlyExportId });
    })
    .select('id', 'export_id')) as { id: string; export_id: string }[];
  const restores = (
    await db.raw<{ rows: { export_id: string; restore_id: string }[] }>(
      `select s.subject as export_id, s.details->>'restoreId' as restore_id
         from ledger s
        where s.action = 'restore.started' and s.subject is not null and s.details->>'restoreId' is not null
          and (?::text is null or s.subject = ?::text)
          and not exists (
            select 1 from ledger e
             where e.subject = s.subject and e.action in ('restore.finished', 'restore.failed')
               and e.details->>'restoreId' = s.details->>'restoreId')`,
      [onlyExportId ?? null, onlyExportId ?? null],
    )
  ).rows;
  const rollbacks = (await db('rollbacks')
    .whereNotIn('stage', FINAL_STAGES)
    .modify((q) => {
      if (onlyExportId !== undefined) q.where((w) => w.where({ target_export_id: onlyExportId }).orWhere({ safety_export_id: onlyExportId }));
    })
    .select('id', 'target_export_id', 'safety_export_id')) as { id: string; target_export_id: string; safety_export_id: string | null }[];
  return [
    ...verifications.map((v) => ({ exportId: v.export_id, workflowId: verificationWorkflowId(v.id), what: `verification run ${v.id}` })),
    ...restores.map((r) => ({ exportId: r.export_id, workflowId: restoreWorkflowId(r.restore_id), what: `restore ${r.restore_id}` })),
    ...rollbacks.map((r) => ({ exportId: r.target_export_id, workflowId: rollbackWorkflowId(r.id), what: `rollback ${r.id}` })),
    ...rollbacks.flatMap((r) => (r.safety_export_id === null ? [] : [{ exportId: r.safety_export_id, workflowId: rollbackWorkflowId(r.id), what: `rollback ${r.id} (its safety snapshot)` }])),
  ].filter((r) => onlyExportId === undefined || r.exportId === onlyExportId);
}
