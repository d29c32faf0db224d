import type { Knex } from 'knex';
import { appendLedger } from '../../catalog/ledger';
import { objectNames } from '../../core/object-names';
import { destroyDataKey } from '../../crypto/export-keys';
import type { PlannedExport } from '../../core/retention';
import type { ObjectStore } from '../../storage/object-store';
import { whoReads, type WorkflowProbe } from './busy-exports';

export interface RetentionStep {
  readonly planId: string;
  readonly actor: string;
  readonly entry: PlannedExport;
}

export type DeleteOutcome =
  | { readonly kind: 'deleted'; readonly objects: number; readonly bytes: number }
  | { readonly kind: 'skipped'; readonly why: string };

interface LockedExport {
  readonly status: string;
  readonly legal_hold: boolean;
  readonly destination: string;
}

/**
 * Deletes one export the plan condemned: its objects, then its object rows, then marks the
 * export row deleted (kept, because the planner follows chains through it) and destroys its
 * wrapped data key as `exports shred` does (the key row stays, marked destroyed, so copies of the
 * objects left elsewhere stay unreadable), with a ledger entry in the same transaction. The export row stays locked throughout, so a hold placed meanwhile
 * waits and then finds the export gone, and a verification cannot start on it. What changed
 * since planning is re-checked under that lock: a hold, a reader, or a state the plan did not
 * see leaves the export alone (logged as `retention.skipped`). A retry after the commit finds
 * the row deleted and does nothing; a retry before it lists the objects again, and deleting
 * one already gone is fine.
 */
export async function deleteExport(db: Knex, store: (destination: string) => ObjectStore, probe: WorkflowProbe, step: RetentionStep, beat: () => void): Promise<DeleteOutcome> {
  const id = step.entry.exportId;
  const ledgerBase = { actor: step.actor, subject: id };
  return db.transaction(async (trx) => {
    const row = (await trx('exports').where({ id }).forUpdate().first('status', 'legal_hold', 'destination')) as LockedExport | undefined;
    // A retry after the commit: the deletion and its ledger entry are already in.
    if (row?.status === 'deleted') return { kind: 'skipped', why: 'already deleted' } as const;
    const skip = async (why: string): Promise<DeleteOutcome> => {
      await appendLedger(trx, { ...ledgerBase, action: 'retention.skipped', outcome: 'skipped', details: { planId: step.planId, planned: 'delete', why } });
      return { kind: 'skipped', why };
    };
    if (row === undefined) return skip('it is no longer in the catalog');
    const why = changedSincePlanning(row, step.entry) ?? (await whoReads(trx, probe, id));
    if (why !== null) return skip(why);

    const objects = store(row.destination);
    let count = 0;
    let bytes = 0;
    for await (const object of objects.list(`${objectNames.exportRoot(id)}/`)) {
      await objects.delete(object.key);
      count += 1;
      bytes += object.size;
      beat();
    }
    const recorded = (await trx('export_files').where({ export_id: id }).count<{ n: string }[]>({ n: '*' }))[0]?.n ?? '0';
    await trx('verified_objects').where({ export_id: id }).delete();
    await trx('export_files').where({ export_id: id }).delete();
    await trx('exports').where({ id }).update({ status: 'deleted', deleted_at: trx.fn.now() });
    const keyDestroyed = await destroyDataKey(trx, id, step.actor);
    await appendLedger(trx, {
      ...ledgerBase,
      action: 'retention.deleted',
      outcome: 'ok',
      details: {
        planId: step.planId,
        rule: step.entry.rule.code,
        why: step.entry.rule.explanation,
        destination: objects.url,
        objectsDeleted: count,
        bytesDeleted: bytes,
        objectsRecorded: Number(recorded),
        keyDestroyed,
      },
    });
    return { kind: 'deleted', objects: count, bytes } as const;
  });
}

/** Why the plan's decision no longer stands for this row, or null when it does. */
function changedSincePlanning(row: LockedExport, entry: PlannedExport): string | null {
  if (row.legal_hold) return 'a legal hold was placed after planning';
  if (row.status !== entry.status) return `its status changed from ${entry.status} to ${row.status} after planning`;
  return null;
}
