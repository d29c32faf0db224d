import type { Knex } from 'knex';
import { targetLabel, type RollbackInput } from '../../core/rollback/rollback-input';
import type { PreviewSamples, RollbackPreview } from '../../core/rollback/rollback-preview';
import type { RollbackStage, ValidationReport } from '../../core/rollback/rollback-state';

/** The catalog row of a rollback, as `rollback preview` and `rollback undo` read it. */
export interface RollbackRecord {
  readonly id: string;
  readonly source: string;
  readonly targetExportId: string;
  readonly mode: string;
  readonly tables: readonly string[];
  readonly keys: RollbackInput['keys'];
  readonly where: RollbackInput['where'];
  readonly requestedBy: string;
  readonly reason: string;
  readonly stage: RollbackStage;
  readonly undoOf: string | null;
  readonly safetyExportId: string | null;
  readonly preview: RollbackPreview | null;
  readonly samples: readonly PreviewSamples[] | null;
  readonly validation: ValidationReport | null;
  readonly outcome: string | null;
}

/** Records a rollback's request; a retried call leaves the first row as it was and returns false. */
export async function insertRollback(db: Knex, input: RollbackInput): Promise<boolean> {
  const inserted = await db('rollbacks')
    .insert({
      id: input.rollbackId,
      source: input.source,
      target_export_id: targetLabel(input.target),
      mode: input.mode,
      tables: JSON.stringify(input.tables),
      keys: JSON.stringify(input.keys),
      row_predicates: JSON.stringify(input.where),
      requested_by: input.requestedBy,
      reason: input.reason,
      stage: 'preparing',
      undo_of: input.undoOf ?? null,
    })
    .onConflict('id')
    .ignore()
    .returning('id');
  return inserted.length > 0;
}

export interface RollbackChanges {
  readonly stage?: RollbackStage;
  readonly safetyExportId?: string;
  readonly preview?: RollbackPreview;
  readonly samples?: readonly PreviewSamples[];
  readonly validation?: ValidationReport;
  readonly outcome?: string;
}

export async function updateRollback(db: Knex | Knex.Transaction, id: string, changes: RollbackChanges): Promise<void> {
  const row: Record<string, unknown> = { updated_at: db.fn.now() };
  if (changes.stage) row.stage = changes.stage;
  if (changes.safetyExportId) row.safety_export_id = changes.safetyExportId;
  if (changes.preview) row.preview = JSON.stringify(changes.preview);
  if (changes.samples) row.samples = JSON.stringify(changes.samples);
  if (changes.validation) row.validation = JSON.stringify(changes.validation);
  if (changes.outcome !== undefined) row.outcome = changes.outcome;
  await db('rollbacks').where({ id }).update(row);
}

export async function getRollback(db: Knex, id: string): Promise<RollbackRecord | undefined> {
  const r = await db('rollbacks').where({ id }).first();
  if (!r) return undefined;
  return {
    id: r.id,
    source: r.source,
    targetExportId: r.target_export_id,
    mode: r.mode,
    tables: r.tables,
    keys: r.keys ?? {},
    where: r.row_predicates ?? {},
    requestedBy: r.requested_by,
    reason: r.reason,
    stage: r.stage,
    undoOf: r.undo_of,
    safetyExportId: r.safety_export_id,
    preview: r.preview,
    samples: r.samples,
    validation: r.validation,
    outcome: r.outcome,
  };
}
