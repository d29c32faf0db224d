import type { Queryable } from '../../postgres/queryable';
import { fingerprint } from './diff-sql';
import { label, tableSql, type ScopeTable } from './scope-table';

/** Live fingerprints of the given tables, keyed `schema.table`. */
export async function revertLiveScope(db: Queryable, tables: readonly ScopeTable[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of tables) out[label(t)] = await fingerprint(db, t, tableSql(t, '').liveRows);
  return out;
}
