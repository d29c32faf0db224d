import type { Queryable } from '../../postgres/queryable';
import { trailInstalled } from '../install-trail';
import { sealTrail } from '../seal-trail';
import { inTransaction } from '../transaction';
import type { HistoryEntry, InversePlan } from './inverse-plan';
import { invertChanges } from './invert-changes';
import { generatedColumns, loadMatchingEntries, loadTableHistory } from './load-history';
import { selectionCondition, type TrailSelection } from './selection';

/**
 * Plans the undoing of the trail entries `selection` picks: seals the trail, then reads the
 * selected entries and everything after the first of them on the same tables from one snapshot,
 * and hands them to invertChanges. Reads only; nothing is changed but the seal.
 *
 * Entries committed after the sealing are not seen, so a row changed meanwhile is not reported
 * as a conflict here; the rendered statements' row checks still refuse it. `client` must be one
 * connection.
 */
export async function planInverse(client: Queryable, selection: TrailSelection): Promise<InversePlan> {
  const condition = selectionCondition(selection);
  if (!(await trailInstalled(client))) return { selected: 0, operations: [], conflicts: [] };
  await sealTrail(client);
  return inTransaction(client, 'repeatable read read only', async () => {
    // Fixed renderings for the key normalization in loadTableHistory.
    await client.query(`set local timezone = 'UTC'; set local datestyle = 'ISO'; set local intervalstyle = 'postgres'; set local extra_float_digits = 1`);
    const chosen = await loadMatchingEntries(client, condition);
    if (chosen.length === 0) return { selected: 0, operations: [], conflicts: [] };
    const chosenIds = new Set(chosen.map((e) => `${e.xid}/${e.seq}`));
    const first = Math.min(...chosen.map((e) => e.position ?? Infinity));
    const tables = [...new Map(chosen.map((e) => [`${e.schema}.${e.table}`, e])).values()];
    const history: HistoryEntry[] = [];
    const generated = new Map<string, ReadonlySet<string>>();
    for (const { schema, table } of tables) {
      history.push(...(await loadTableHistory(client, schema, table, first)));
      generated.set(`${schema}.${table}`, await generatedColumns(client, schema, table));
    }
    history.sort((a, b) => (a.entry.position ?? 0) - (b.entry.position ?? 0));
    return invertChanges(history, (e) => chosenIds.has(`${e.xid}/${e.seq}`), { generatedColumns: generated });
  });
}
