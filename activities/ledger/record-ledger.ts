import { appendLedger, type LedgerInput } from '../../catalog/ledger';
import type { ActivityDeps } from '../deps';

export function createLedgerActivities(deps: ActivityDeps) {
  return {
    /** Appends one audit entry. Workflows call it for steps that have no catalog row of their own. */
    async recordLedger(entry: LedgerInput): Promise<number> {
      const written = await appendLedger(deps.catalog, entry);
      return Number(written.seq);
    },
  };
}
