import { anchorLedger, appendLedger, type LedgerAnchor, type LedgerInput } from '../../catalog/ledger';
import type { ActivityDeps } from '../deps';

export function createLedgerActivities(deps: ActivityDeps) {
  return {
    /** Appends one audit entry (`once`: unless its twin is there, see AppendOptions). Workflows call it for steps that have no catalog row of their own. */
    async recordLedger(entry: LedgerInput & { readonly once?: boolean }): Promise<number> {
      const { once, ...fields } = entry;
      const written = await appendLedger(deps.catalog, fields, { once });
      return Number(written.seq);
    },

    /**
     * Anchors the ledger's head outside the catalog (docs/audit-ledger.md): at `ledger.anchorTo`
     * when configured, else at the newest succeeded export's destination; null when there is
     * nowhere to write or nothing to anchor yet.
     */
    async anchorLedgerHead(request: { readonly actor: string; readonly reason: string }): Promise<LedgerAnchor | null> {
      const location = deps.config.ledger.anchorTo ?? (await newestDestination(deps));
      return location === undefined ? null : anchorLedger(deps.catalog, deps.openStore(location), request);
    },
  };
}

async function newestDestination(deps: ActivityDeps): Promise<string | undefined> {
  const row = (await deps.catalog('exports').where({ status: 'succeeded' }).orderBy('created_at', 'desc').first('destination')) as { destination: string } | undefined;
  return row?.destination;
}
