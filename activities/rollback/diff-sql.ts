import type { Queryable } from '../../postgres/queryable';
import { isKeyless, tableSql, type ScopeTable } from './scope-table';

/** Row-level differences between live data and the staged target, by primary key (or, without one, by copies of each row). */
export interface TableDiff {
  readonly inserts: number;
  readonly updates: number;
  readonly deletes: number;
}

/**
 * The three differences as SELECT bodies over aliases `s` (staging) and `l` (live), one
 * result row per row to insert, update or delete. A table without a primary key is a
 * multiset (see `multisetQueries`): it has no updates, only copies to add and remove.
 */
export function diffQueries(t: ScopeTable, stagingSchema: string) {
  if (isKeyless(t)) return multisetQueries(t, stagingSchema);
  const q = tableSql(t, stagingSchema);
  return {
    inserts: `from ${q.stage} s where not exists (select 1 from ${q.liveRows} l where ${q.keyJoin('l', 's')})`,
    deletes: `from ${q.liveRows} l where not exists (select 1 from ${q.stage} s where ${q.keyJoin('l', 's')})`,
    updates: `from ${q.stage} s join ${q.liveRows} l on ${q.keyJoin('l', 's')} where ${q.rowText('l')} <> ${q.rowText('s')}`,
  };
}

/**
 * A table without a primary key, compared as a multiset: for each distinct row (by its
 * text), the target holds some copies and live data others. Copies of the target beyond
 * live's count are inserts (`s`); live copies beyond the target's count are deletes (`l`),
 * the later ones by physical position, each carrying `rp_tableoid` and `rp_ctid` so that
 * apply deletes exactly those copies (within its transaction, under its EXCLUSIVE lock,
 * nothing moves them). There are no updates: an edited row is one copy removed and one added.
 */
function multisetQueries(t: ScopeTable, stagingSchema: string) {
  const q = tableSql(t, stagingSchema);
  const counted = (from: string, alias: string) => `(select ${q.rowText(alias)} as rp_row, count(*) as rp_n from ${from} ${alias} group by 1)`;
  const numbered = (from: string, alias: string, extra: string) =>
    `(select ${alias}.*${extra}, ${q.rowText(alias)} as rp_row, row_number() over (partition by ${q.rowText(alias)} order by ${alias}.tableoid, ${alias}.ctid) as rp_copy from ${from} ${alias})`;
  return {
    inserts: `from ${numbered(q.stage, 'x', '')} s left join ${counted(q.liveFrom, 'y')} c on c.rp_row = s.rp_row where s.rp_copy > coalesce(c.rp_n, 0)`,
    deletes: `from ${numbered(q.liveFrom, 'x', ', x.xmin as xmin, x.tableoid as rp_tableoid, x.ctid as rp_ctid')} l left join ${counted(q.stage, 'y')} c on c.rp_row = l.rp_row where l.rp_copy > coalesce(c.rp_n, 0)`,
    updates: `from ${q.stage} s join ${q.liveFrom} l on false`,
  };
}

export async function countDiff(db: Queryable, t: ScopeTable, stagingSchema: string): Promise<TableDiff> {
  const d = diffQueries(t, stagingSchema);
  const { rows } = await db.query<{ inserts: string; updates: string; deletes: string }>(
    `select (select count(*) ${d.inserts})::text as inserts, (select count(*) ${d.updates})::text as updates, (select count(*) ${d.deletes})::text as deletes`,
  );
  const r = rows[0]!;
  return { inserts: Number(r.inserts), updates: Number(r.updates), deletes: Number(r.deletes) };
}

/** md5 over a relation's rows in sorted text form, with the row count: equal fingerprints, equal data. */
export async function fingerprint(db: Queryable, t: ScopeTable, from: string): Promise<string> {
  const q = tableSql(t, '');
  const { rows } = await db.query<{ n: string; md5: string | null }>(
    `select count(*)::text as n, md5(string_agg(r, E'\\n' order by r)) as md5 from (select ${q.rowText('x')} as r from ${from} x) rows`,
  );
  return `${rows[0]!.n}:${rows[0]!.md5 ?? ''}`;
}
