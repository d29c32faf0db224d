import type { RestorePlan, TrailTail } from './restore-plan';

/**
 * What a point in time resolved to, in a few ids and positions: what an operator reads in a
 * rollback's status and the ledger to see which exports and trail entries stand for "at T".
 */
export interface RestorePointSummary {
  readonly at: string;
  readonly baseExportId: string;
  /** The base's moment: the chain starts here. */
  readonly baseAsOf: string;
  readonly deltaExportIds: readonly string[];
  /** Where entries after the last delta come from, in words. */
  readonly tail: string;
  /**
   * Trail positions the replay reads: entries after `after` (the base's sealed position) up to
   * `through`, of which those of transactions whose last change is at or before `at` are applied.
   * `through` is null when the tail is the source's live trail: its head when the rollback staged.
   */
  readonly trail: { readonly after: number; readonly through: number | null };
}

/** The tail of a plan in words, as reconstructions and rollbacks report it. */
export function describeTail(tail: TrailTail): string {
  if (tail.kind === 'none') return 'none';
  return tail.kind === 'archive' ? `entries after ${tail.afterPosition} from ${tail.exportId}` : `live trail entries after ${tail.afterPosition}`;
}

/** The plan as ids and positions (pure: workflows call it on the plan an activity returned). */
export function summarizeRestorePlan(plan: RestorePlan): RestorePointSummary {
  const last = plan.deltas.at(-1) ?? plan.base;
  const through = plan.tail.kind === 'archive' ? plan.tail.throughPosition : plan.tail.kind === 'live' ? null : last.trailTo!.position;
  return {
    at: plan.at,
    baseExportId: plan.base.exportId,
    baseAsOf: plan.base.asOf!,
    deltaExportIds: plan.deltas.map((d) => d.exportId),
    tail: describeTail(plan.tail),
    trail: { after: plan.base.trailTo!.position, through },
  };
}
