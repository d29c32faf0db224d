import { createHash } from 'node:crypto';

/** The hash the first sealed entry chains from. */
export const TRAIL_GENESIS_HASH = '0'.repeat(64);

/** Names the encoding below, so a future change of it cannot collide with entries hashed today. */
const ENCODING = 'restorepoint.trail.v1';

/**
 * The canonical text of one sealed entry as a SQL expression: a jsonb array of every field,
 * position first, cast to text. `position` is an SQL expression for the entry's position and
 * `change` the alias of its `restorepoint_trail.change` row.
 *
 * Sealing hashes it inside the database and verification hashes the same text in Node, so both
 * read it from this one expression. It depends on no session setting: jsonb's text form is fixed
 * (jsonb sorts keys and stores numbers as numeric), the time is rendered in UTC with
 * microseconds, and the xid goes through text. It uses only built-ins, so a function replaced in
 * the source database cannot make a tampered entry encode like the original.
 */
export function canonicalEntrySql(position: string, change: string): string {
  const c = change;
  return `pg_catalog.jsonb_build_array('${ENCODING}', ${position}, ${c}.seq, ${c}.xid::text,
    pg_catalog.to_char(${c}.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), ${c}.schema_name, ${c}.table_name, ${c}.op,
    ${c}.key, ${c}.old_row, ${c}.new_row, ${c}.partition_name, ${c}.actor, ${c}.db_user, ${c}.application)::text`;
}

/**
 * One link: sha256 (hex) of the previous entry's hash followed by this entry's canonical text,
 * UTF-8 encoded. The SQL twin is `restorepoint_trail.chain_step` (install-sql.ts); a test pins
 * that the two agree.
 */
export function chainHash(previousHash: string, canonical: string): string {
  return createHash('sha256').update(previousHash + canonical, 'utf8').digest('hex');
}
