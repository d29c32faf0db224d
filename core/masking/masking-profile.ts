import { z } from 'zod';
import { splitPattern } from '../table-patterns';

/**
 * One column's masking rule (docs/masking.md):
 * - `redact`: every non-null value becomes this fixed text;
 * - `null`: every value becomes NULL (refused on a NOT NULL column);
 * - `hash`: a keyed hash (HMAC-SHA256 under `masking.keyFile`), in the column's own type where
 *   one fits (integers, uuid, text), so the same input gives the same output in every table and
 *   export made with that key, and joins on hashed keys still match;
 * - `truncate`: the first `truncate` characters;
 * - `shiftDays`: dates and timestamps moved by this many days (negative: earlier);
 * - `jitterDays`: dates and timestamps moved by a deterministic offset within ±n days, taken
 *   from the keyed hash of the value (equal values move alike, so dates stay comparable).
 */
export const maskingRuleSchema = z.union([
  z.strictObject({ redact: z.string() }),
  z.strictObject({ null: z.literal(true) }),
  z.strictObject({ hash: z.literal(true) }),
  z.strictObject({ truncate: z.number().int().min(0) }),
  z.strictObject({ shiftDays: z.number().int().refine((n) => n !== 0, 'a shift of 0 days masks nothing') }),
  z.strictObject({ jitterDays: z.number().int().min(1).max(36500) }),
]);
export type MaskingRule = z.infer<typeof maskingRuleSchema>;

/** Rules per table (`schema.table`, or `table` for any schema) and column. */
export const maskingProfileSchema = z.strictObject({
  description: z.string().optional(),
  tables: z.record(z.string().min(1), z.record(z.string().min(1), maskingRuleSchema)),
});
export type MaskingProfile = z.infer<typeof maskingProfileSchema>;

export const maskingProfileNameSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'a lower-case profile name');

/** What a masked export's manifest says of its masking: never the key, only its id and the rules' digest. */
export const manifestMaskingSchema = z.object({
  profile: maskingProfileNameSchema,
  /** sha256 of the profile's rules as canonical JSON: two exports masked alike have the same digest. */
  rulesDigest: z.string().regex(/^[0-9a-f]{64}$/),
  /** The first 16 hex digits of the hash key's sha256, or null when no rule hashes. */
  keyId: z.string().nullable(),
  /** `schema.table` → column → rule, as applied. */
  columns: z.record(z.string(), z.record(z.string(), maskingRuleSchema)),
});
export type ManifestMasking = z.infer<typeof manifestMaskingSchema>;

/** Whether a profile's table key (`table`, `schema.table`, `"Quoted".names`) names `schema.name`, and how exactly. */
export function tableKeyMatch(key: string, schema: string, name: string): 'exact' | 'any-schema' | null {
  const parts = splitPattern(key).map((p) => p.replace(/"/g, ''));
  if (parts.length === 2) return parts[0] === schema && parts[1] === name ? 'exact' : null;
  return parts[0] === name ? 'any-schema' : null;
}

/** The rule of each column of `schema.name`: an exact `schema.table` entry wins over a bare `table` one. */
export function rulesForTable(profile: MaskingProfile, schema: string, name: string): Readonly<Record<string, MaskingRule>> {
  const entries = Object.entries(profile.tables);
  const of = (how: 'exact' | 'any-schema') => Object.assign({}, ...entries.filter(([key]) => tableKeyMatch(key, schema, name) === how).map(([, rules]) => rules)) as Record<string, MaskingRule>;
  return { ...of('any-schema'), ...of('exact') };
}

/** A rule's kind, for messages and docs. */
export function ruleKind(rule: MaskingRule): 'redact' | 'null' | 'hash' | 'truncate' | 'shiftDays' | 'jitterDays' {
  return Object.keys(rule)[0] as 'redact' | 'null' | 'hash' | 'truncate' | 'shiftDays' | 'jitterDays';
}
