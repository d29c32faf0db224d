import type { Queryable } from '../../postgres/queryable';
import { tableSql, type ScopeTable } from './scope-table';

/** Row-level differences between live data and the staged target, by primary key. */
export interface TableDiff {
  readonly inserts: number;
  readonly updates: number;
  readonly deletes: number;
}

/** The three differences as SELECT bodies over aliases `s` (staging) and `l` (live). */
export function diffQueries(t: ScopeTable, stagingSchema: string) {
  const q = tableSql(t, stagingSchema);
  return {
    inserts: `from ${q.stage} s where not exists (select 1 from ${q.liveRows} l where ${q.keyJoin('l', 's')})`,
    deletes: `from ${q.liveRows} l where not exists (select 1 from ${q.stage} s where ${q.keyJoin('l', 's')})`,
    updates: `from ${q.stage} s join ${q.liveRows} l on ${q.keyJoin('l', 's')} where ${q.rowText('l')} <> ${q.rowText('s')}`,
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
