import type { Knex } from 'knex';
import { appendLedger } from '../../catalog/ledger';
import type { PlannedOrphan, RetentionPolicy, RetentionWarning } from '../../core/retention';
import type { ObjectStore } from '../../storage/object-store';
import type { ActivityDeps } from '../deps';

const HOUR_MS = 3_600_000;

/** Scratch files last written before this instant are orphans. */
export function orphanCutoff(now: Date, policy: Pick<RetentionPolicy, 'orphanGraceHours'>): Date {
  return new Date(now.getTime() - policy.orphanGraceHours * HOUR_MS);
}

/**
 * Scratch files (`.~tmp-*`) that killed exports left in any destination the catalog names,
 * last written before `cutoff`. A destination that cannot be opened or searched is a warning,
 * never the end of the run. Stores without such files (GCS) are skipped.
 */
export async function findOrphans(deps: Pick<ActivityDeps, 'catalog' | 'openStore'>, cutoff: Date): Promise<{ found: PlannedOrphan[]; warnings: RetentionWarning[] }> {
  const found: PlannedOrphan[] = [];
  const warnings: RetentionWarning[] = [];
  const seen = new Set<string>();
  for (const destination of await destinations(deps.catalog)) {
    try {
      const store = deps.openStore(destination);
      if (seen.has(store.url) || !store.listOrphanedTemporaries) continue;
      seen.add(store.url);
      for await (const orphan of store.listOrphanedTemporaries(cutoff)) found.push({ destination: store.url, ...orphan });
    } catch (error) {
      warnings.push({ code: 'orphans-unreadable', subject: destination, message: `could not search ${destination} for orphaned scratch files: ${(error as Error).message}` });
    }
  }
  return { found, warnings };
}

async function destinations(db: Knex): Promise<string[]> {
  return ((await db('exports').distinct('destination').orderBy('destination')) as { destination: string }[]).map((r) => r.destination);
}

/**
 * Removes the plan's orphans, each only if it is still older than `cutoff`, with one
 * `retention.orphans-removed` ledger entry per destination that lost any. A retry removes what
 * is left and records only that.
 */
export async function removeOrphans(
  deps: Pick<ActivityDeps, 'catalog' | 'openStore'>,
  request: { readonly planId: string; readonly actor: string; readonly orphans: readonly PlannedOrphan[]; readonly cutoff: Date },
  beat: () => void,
): Promise<{ readonly removed: number; readonly bytes: number }> {
  const byDestination = new Map<string, PlannedOrphan[]>();
  for (const o of request.orphans) byDestination.set(o.destination, [...(byDestination.get(o.destination) ?? []), o]);
  let removed = 0;
  let bytes = 0;
  for (const [destination, orphans] of byDestination) {
    const store: ObjectStore = deps.openStore(destination);
    const gone: PlannedOrphan[] = [];
    for (const orphan of orphans) {
      if (await store.removeOrphanedTemporary?.(orphan.name, request.cutoff)) gone.push(orphan);
      beat();
    }
    if (gone.length === 0) continue;
    const goneBytes = gone.reduce((s, o) => s + o.bytes, 0);
    await appendLedger(deps.catalog, {
      actor: request.actor,
      action: 'retention.orphans-removed',
      subject: destination,
      outcome: 'ok',
      details: { planId: request.planId, removed: gone.length, bytes: goneBytes, names: gone.slice(0, 100).map((o) => o.name) },
    });
    removed += gone.length;
    bytes += goneBytes;
  }
  return { removed, bytes };
}
