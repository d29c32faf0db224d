import type pg from 'pg';
import type { ManifestTable } from '../../core/manifest';

/**
 * The column types of `tables` (as format_type printed them at export) that the connected
 * database does not know: a source's own domains, enums and composite types, when a scratch
 * copy goes into another database than the source (Pagila's `year` and `mpaa_rating`).
 */
export async function unknownColumnTypes(client: pg.ClientBase, tables: readonly ManifestTable[]): Promise<ReadonlySet<string>> {
  const types = [...new Set(tables.flatMap((t) => t.columns.filter((c) => c.generated === null).map((c) => c.type)))];
  const { rows } = await client.query<{ type: string }>('select t as type from unnest($1::text[]) as t where to_regtype(t) is null', [types]);
  return new Set(rows.map((r) => r.type));
}
