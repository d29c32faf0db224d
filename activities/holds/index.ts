import { placeHold, releaseHold, type LegalHold } from '../../catalog/holds-repo';
import type { HoldResult, HoldView } from '../../core/hold-input';
import type { ActivityDeps } from '../deps';

const view = (h: LegalHold | undefined): HoldView | null =>
  h ? { ...h, placedAt: h.placedAt.toISOString(), releasedAt: h.releasedAt?.toISOString() ?? null } : null;

/**
 * Legal holds, placed and released for a caller the workflow has authorized. Both are
 * idempotent (a retry finds the export already in the asked state) and write their own
 * ledger entry in the same transaction as the change (catalog/holds-repo.ts).
 */
export function createHoldActivities(deps: ActivityDeps) {
  return {
    async changeLegalHold(request: { readonly exportId: string; readonly change: 'add' | 'remove'; readonly reason: string; readonly actor: string }): Promise<HoldResult> {
      const change = { exportId: request.exportId, reason: request.reason, actor: request.actor };
      const outcome = request.change === 'add' ? await placeHold(deps.catalog, change) : await releaseHold(deps.catalog, change);
      return { changed: outcome.changed, hold: view(outcome.hold) };
    },
  };
}
