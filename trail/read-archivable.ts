import { z } from 'zod';
import { int8 } from '../catalog/int8';
import type { Queryable } from '../postgres/queryable';
import type { ArchivedEntry } from './archived-entry';
import { canonicalEntrySql } from './entry-hash';

const rowSchema = z.object({ position: int8, hash: z.string(), canonical: z.string().nullable() });

/**
 * Sealed entries with position in (after, upTo], in order, as they are archived: position,
 * stored hash and canonical text (null canonical: the change row is gone). A range scan on
 * the seal's primary key and one lookup per entry, so the cost follows the number of entries.
 * Page with `after` = the last position read; call inside one snapshot for a consistent read.
 */
export async function readArchivableEntries(client: Queryable, after: number, upTo: number, limit = 1000): Promise<(ArchivedEntry | { readonly position: number; readonly hash: string; readonly canonical: null })[]> {
  const { rows } = await client.query(
    `select s.position, s.hash, case when c.seq is not null then ${canonicalEntrySql('s.position', 'c')} end as canonical
       from restorepoint_trail.seal s left join restorepoint_trail.change c on c.xid = s.xid and c.seq = s.seq
      where s.position > $1 and s.position <= $2 order by s.position limit $3`,
    [after, upTo, limit],
  );
  return rows.map((row) => rowSchema.parse(row));
}

/** The stored hash of the sealed entry at `position`, or of the prune point when it is that; null when neither exists. */
export async function hashAtPosition(client: Queryable, position: number): Promise<string | null> {
  const { rows } = await client.query<{ hash: string }>(
    `select hash from restorepoint_trail.seal where position = $1
     union all select through_hash from restorepoint_trail.prune where through = $1 limit 1`,
    [position],
  );
  return rows[0]?.hash ?? null;
}
