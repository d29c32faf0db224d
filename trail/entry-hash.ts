import { hash } from 'node:crypto';

/** The hash the first sealed entry chains from. */
export const TRAIL_GENESIS_HASH = '0'.repeat(64);

/** Names the encoding below, so a future change of it cannot collide with entries hashed today. */
const ENCODING = 'restorepoint.trail.v1';

/**
 * The canonical text of one sealed entry as a SQL expression: a JSON array of every field,
 * position first, as text. `position` is an SQL expression for the entry's position and
 * `change` the alias of its `restorepoint_trail.change` row.
 *
 * The database renders it (sealing, verification and archiving all read it through this one
 * expression) and Node hashes it. It depends on no session setting: jsonb's text form is fixed
 * (jsonb sorts keys and stores numbers as numeric), the time is rendered in UTC with
 * microseconds, and the xid goes through text. It uses only built-ins, so a function replaced in
 * the source database cannot make a tampered entry encode like the original.
 *
 * The text is defined as `jsonb_build_array(...)::text`, what the first chains were sealed
 * with. `json_build_array` renders the same bytes (the same ", " separators and string escaping;
 * the jsonb fields and the integers print as their own text forms) at half the cost, since it
 * does not rebuild the row images as one jsonb value first; a test pins the two renderings equal
 * on hostile values.
 */
export function canonicalEntrySql(position: string, change: string): string {
  return canonicalEntryAs('json_build_array', position, change);
}

/** The canonical text through `builder`; only `canonicalEntrySql` and the test that pins its equivalence call this. */
export function canonicalEntryAs(builder: 'json_build_array' | 'jsonb_build_array', position: string, change: string): string {
  const c = change;
  return `pg_catalog.${builder}('${ENCODING}', ${position}, ${c}.seq, ${c}.xid::text,
    pg_catalog.to_char(${c}.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), ${c}.schema_name, ${c}.table_name, ${c}.op,
    ${c}.key, ${c}.old_row, ${c}.new_row, ${c}.partition_name, ${c}.actor, ${c}.db_user, ${c}.application)::text`;
}

/**
 * One link: sha256 (hex) of the previous entry's hash followed by this entry's canonical text,
 * UTF-8 encoded. Sealing and every verification of the chain use this one function. The SQL
 * twin `restorepoint_trail.chain_step` (install-sql.ts) is what earlier versions sealed with; a
 * test pins that the two agree, so chains they sealed verify and continue unchanged.
 */
export function chainHash(previousHash: string, canonical: string): string {
  return hash('sha256', previousHash + canonical, 'hex');
}
