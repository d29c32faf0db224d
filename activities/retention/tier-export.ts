import type { Knex } from 'knex';
import { appendLedger } from '../../catalog/ledger';
import { objectNames } from '../../core/object-names';
import { isColder, storageClassSchema } from '../../core/retention';
import type { ObjectStore } from '../../storage/object-store';
import { whoReads, type WorkflowProbe } from './busy-exports';
import type { RetentionStep } from './delete-export';

export type TierOutcome = { readonly kind: 'tiered'; readonly objects: number } | { readonly kind: 'skipped'; readonly why: string };

/**
 * Moves one export's objects to the plan's colder class. Each object's class is read first, so
 * an object already there (a retry, or a colder bucket default) is left as it is and nothing is
 * ever moved warmer; a store without classes (a folder) reports none and is not touched. A
 * deleted export or one being read is skipped: a rewrite under a reader can fail its read.
 */
export async function tierExport(db: Knex, store: (destination: string) => ObjectStore, probe: WorkflowProbe, step: RetentionStep, beat: () => void): Promise<TierOutcome> {
  const { entry } = step;
  if (entry.action.kind !== 'tier') throw new Error(`tierExport was given a ${entry.action.kind} entry for ${entry.exportId}`);
  const target = entry.action.to;
  const id = entry.exportId;
  const row = (await db('exports').where({ id }).first('status', 'destination')) as { status: string; destination: string } | undefined;
  const skip = async (why: string): Promise<TierOutcome> => {
    await appendLedger(db, { actor: step.actor, action: 'retention.skipped', subject: id, outcome: 'skipped', details: { planId: step.planId, planned: `tier to ${target}`, why } });
    return { kind: 'skipped', why };
  };
  if (!row || row.status === 'deleted') return skip('it was deleted after planning');
  const readers = await whoReads(db, probe, id);
  if (readers !== null) return skip(readers);

  const objects = store(row.destination);
  let moved = 0;
  let seen = 0;
  for await (const object of objects.list(`${objectNames.exportRoot(id)}/`)) {
    seen += 1;
    const current = storageClassSchema.safeParse(object.storageClass);
    if (object.storageClass === undefined || (current.success && !isColder(target, current.data))) continue;
    await objects.setStorageClass(object.key, target);
    moved += 1;
    beat();
  }
  const changed = await db('exports').where({ id }).whereRaw('storage_class is distinct from ?', [target]).update({ storage_class: target });
  if (changed > 0) {
    await appendLedger(db, {
      actor: step.actor,
      action: 'retention.tiered',
      subject: id,
      outcome: 'ok',
      details: { planId: step.planId, from: entry.action.from, to: target, why: entry.rule.explanation, objects: seen, objectsMoved: moved },
    });
  }
  return { kind: 'tiered', objects: moved };
}
