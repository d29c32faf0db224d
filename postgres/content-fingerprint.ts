import { openConnection } from './connect';
import { qualifiedName } from './queryable';

/**
 * Each table's content as one md5 over its rows in sorted text form (ONLY: a parent's own
 * rows), and each sequence's value: two databases with equal fingerprints hold equal data.
 */
export async function databaseFingerprint(url: string, schemas: readonly string[] = ['public']): Promise<Record<string, string>> {
  const client = await openConnection(url, 'restorepoint-fingerprint');
  try {
    const out: Record<string, string> = {};
    const tables = await client.query<{ schema: string; name: string }>(
      `select n.nspname as schema, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = any($1) and c.relkind = 'r' order by 1, 2`,
      [schemas],
    );
    for (const t of tables.rows) {
      const q = qualifiedName(t.schema, t.name);
      const r = await client.query<{ n: string; md5: string | null }>(`select count(*)::text as n, md5(string_agg(x::text, E'\\n' order by x::text)) as md5 from only ${q} x`);
      out[`table ${t.schema}.${t.name}`] = `${r.rows[0]!.n}:${r.rows[0]!.md5 ?? ''}`;
    }
    const seqs = await client.query<{ schema: string; name: string; last_value: string | null }>(
      'select schemaname as schema, sequencename as name, last_value::text from pg_sequences where schemaname = any($1) order by 1, 2',
      [schemas],
    );
    for (const s of seqs.rows) out[`sequence ${s.schema}.${s.name}`] = s.last_value ?? 'unused';
    return out;
  } finally {
    await client.end();
  }
}
