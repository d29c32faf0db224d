import { MAX_IDENTIFIER_BYTES } from '../core/identifier-bytes';

interface Named {
  readonly schema: string;
  readonly name: string;
}

/**
 * The name a table takes when an export is restored into one schema (`--schema scratch`, a
 * verification's scratch copy, a rollback's staging copy): its own name, unless another table
 * of the export has it too (a whole-database export can hold `public.t` and `app.t`); then
 * `schema.name`, cut to PostgreSQL's 63 bytes with a hash of the whole kept at the end.
 */
export function scratchTableName(table: Named, tables: readonly Named[]): string {
  if (tables.filter((t) => t.name === table.name).length <= 1) return table.name;
  return fittedName(`${table.schema}.${table.name}`);
}

/**
 * `name` when PostgreSQL keeps it whole (63 bytes), otherwise cut at a character boundary with
 * a hash of the whole kept at the end: PostgreSQL would cut it silently, so two long names
 * sharing their first 63 bytes (`rp_keys__` + a 63-byte table name) would be one table.
 */
export function fittedName(name: string): string {
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER_BYTES) return name;
  const suffix = `~${fnv1a32(name)}`;
  let cut = name;
  while (Buffer.byteLength(cut) > MAX_IDENTIFIER_BYTES - suffix.length) cut = [...cut].slice(0, -1).join('');
  return `${cut}${suffix}`;
}

function fnv1a32(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}
