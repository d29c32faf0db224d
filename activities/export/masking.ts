import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import type { Config } from '../../config/schema';
import { RestorepointError } from '../../core/errors';
import type { ManifestColumn } from '../../core/manifest';
import { ruleKind, rulesForTable, tableKeyMatch, type ManifestMasking, type MaskingProfile, type MaskingRule } from '../../core/masking/masking-profile';
import type { ColumnMask } from '../../streams/csv-mask';

/** A profile ready to apply: its rules, the hash key (when a rule hashes) and what the manifest records. */
export interface LoadedMasking {
  readonly name: string;
  readonly profile: MaskingProfile;
  readonly key: Buffer | null;
  readonly rulesDigest: string;
  readonly keyId: string | null;
}

/** Sorted keys at every level, so the digest does not depend on how config was written. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The named profile of config and its key; an unknown profile, or a hash rule without a key, is refused by name. */
export function loadMasking(config: Config, name: string): LoadedMasking {
  const profile = config.masking.profiles[name];
  if (!profile) {
    const known = Object.keys(config.masking.profiles);
    throw new RestorepointError('INPUT_INVALID', `no masking profile "${name}" in config (masking.profiles${known.length ? `: ${known.join(', ')}` : ' is empty'})`, { profile: name });
  }
  const hashes = Object.values(profile.tables).some((columns) => Object.values(columns).some((rule) => 'hash' in rule || 'jitterDays' in rule));
  let key: Buffer | null = null;
  if (hashes) {
    if (!config.masking.keyFile) throw new RestorepointError('CONFIG_INVALID', `masking profile "${name}" hashes columns but no key is configured (masking.keyFile)`);
    try {
      key = Buffer.from(fs.readFileSync(config.masking.keyFile, 'utf8').trim(), 'base64');
    } catch (error) {
      throw new RestorepointError('CONFIG_INVALID', `cannot read the masking key ${config.masking.keyFile}: ${(error as Error).message}`);
    }
    if (key.length < 32) throw new RestorepointError('CONFIG_INVALID', 'the masking key must be at least 32 bytes (base64)');
  }
  return {
    name,
    profile,
    key,
    rulesDigest: createHash('sha256').update(canonical(profile.tables)).digest('hex'),
    keyId: key ? createHash('sha256').update(key).digest('hex').slice(0, 16) : null,
  };
}

const TEXT_TYPE = /^(text|citext|character varying(\((\d+)\))?)$/;
const TIME_TYPE = /^(date|timestamp(\(\d\))? with(out)? time zone)$/;
const INTEGER_BITS: Readonly<Record<string, number>> = { smallint: 15, integer: 31, bigint: 63 };

/** `2026-11-22 10:00:00+00` moved by `days`, the time of day and offset kept; infinities stay. */
function shiftDate(value: string, days: number): string {
  if (value === 'infinity' || value === '-infinity') return value;
  const match = /^(\d{4,})-(\d{2})-(\d{2})(.*)$/s.exec(value);
  if (!match || match[4]!.includes('BC')) throw new RestorepointError('DATA_INVALID', 'a date masked by shiftDays is not an AD date in ISO form (BC dates are not shifted)');
  const moved = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days));
  const year = String(moved.getUTCFullYear()).padStart(4, '0');
  return `${year}-${String(moved.getUTCMonth() + 1).padStart(2, '0')}-${String(moved.getUTCDate()).padStart(2, '0')}${match[4]}`;
}

/** The keyed hash of a value in the column's type: equal inputs give equal outputs under one key, in every table. */
function hashMask(key: Buffer, type: string): ColumnMask | null {
  const mac = (value: string) => createHmac('sha256', key).update(value, 'utf8').digest();
  const bits = INTEGER_BITS[type];
  if (bits !== undefined) {
    // A positive number of the column's width; 0 is avoided (some apps read it as "none").
    return (value) => (value === null ? null : String((mac(value).readBigUInt64BE(0) % ((1n << BigInt(bits)) - 1n)) + 1n));
  }
  if (type === 'uuid') {
    return (value) => {
      if (value === null) return null;
      const b = mac(value).subarray(0, 16);
      b[6] = (b[6]! & 0x0f) | 0x80; // version 8: custom
      b[8] = (b[8]! & 0x3f) | 0x80; // RFC 9562 variant
      const hex = b.toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    };
  }
  const text = TEXT_TYPE.exec(type);
  if (text) {
    const limit = text[3] ? Number(text[3]) : 64;
    return (value) => (value === null ? null : mac(value).toString('hex').slice(0, limit));
  }
  return null;
}

/**
 * The mask of each exported column of one table (undefined: kept), in export order. A rule
 * that cannot keep its column's type or constraint, or names a column the table does not
 * export, is refused by name before any row is read.
 */
export function tableMasks(masking: LoadedMasking, table: { schema: string; name: string }, columns: readonly ManifestColumn[]): { masks: (ColumnMask | undefined)[]; applied: Record<string, MaskingRule> } {
  const rules = rulesForTable(masking.profile, table.schema, table.name);
  const where = `masking profile "${masking.name}", ${table.schema}.${table.name}`;
  const refuse = (message: string) => {
    throw new RestorepointError('INPUT_INVALID', `${where}: ${message}; nothing was exported`, { profile: masking.name });
  };
  const exported = columns.filter((c) => c.generated === null);
  for (const name of Object.keys(rules)) {
    const column = columns.find((c) => c.name === name);
    if (!column) refuse(`no column "${name}" (a misspelt column would be left unmasked)`);
    if (column!.generated !== null) refuse(`"${name}" is generated from other columns: mask those instead`);
  }
  const masks = exported.map((column): ColumnMask | undefined => {
    const rule = rules[column.name];
    if (!rule) return undefined;
    const kind = ruleKind(rule);
    const cannot = () => refuse(`${kind} cannot keep column "${column.name}" a ${column.type}`);
    if ('null' in rule) {
      if (!column.nullable) refuse(`"${column.name}" is NOT NULL: use redact or hash`);
      return () => null;
    }
    if ('redact' in rule) {
      if (!TEXT_TYPE.test(column.type)) cannot();
      return (value) => (value === null ? null : rule.redact);
    }
    if ('truncate' in rule) {
      if (!TEXT_TYPE.test(column.type)) cannot();
      return (value) => (value === null ? null : [...value].slice(0, rule.truncate).join(''));
    }
    if ('shiftDays' in rule) {
      if (!TIME_TYPE.test(column.type)) cannot();
      return (value) => (value === null ? null : shiftDate(value, rule.shiftDays));
    }
    if ('jitterDays' in rule) {
      if (!TIME_TYPE.test(column.type)) cannot();
      const span = BigInt(2 * rule.jitterDays + 1);
      const offset = (value: string) => Number(createHmac('sha256', masking.key!).update(value, 'utf8').digest().readBigUInt64BE(0) % span) - rule.jitterDays;
      return (value) => (value === null ? null : shiftDate(value, offset(value)));
    }
    const hash = hashMask(masking.key!, column.type);
    if (!hash) cannot();
    return hash!;
  });
  return { masks, applied: Object.fromEntries(exported.filter((c) => rules[c.name]).map((c) => [c.name, rules[c.name]!])) };
}

/** Profile tables that match none of the exported ones: with no table selection, a misspelt name would leave a table unmasked. */
export function unmatchedProfileTables(masking: LoadedMasking, exported: readonly { schema: string; name: string }[]): string[] {
  return Object.keys(masking.profile.tables).filter((key) => !exported.some((t) => tableKeyMatch(key, t.schema, t.name) !== null));
}

/** What the manifest says: the profile, the digest of its rules, the key's id and the rules applied per table. */
export function manifestMasking(masking: LoadedMasking, applied: Readonly<Record<string, Record<string, MaskingRule>>>): ManifestMasking {
  return { profile: masking.name, rulesDigest: masking.rulesDigest, keyId: masking.keyId, columns: { ...applied } };
}

/** The masks of every exported table, keyed `schema.table`; refuses, before any row is read, what the profile cannot do. */
export function planMasking(
  masking: LoadedMasking,
  request: { readonly schemas: readonly string[]; readonly tables: readonly string[]; readonly exclude: readonly string[] },
  tables: readonly { readonly schema: string; readonly name: string; readonly columns: readonly ManifestColumn[] }[],
): Map<string, { masks: (ColumnMask | undefined)[]; applied: Record<string, MaskingRule> }> {
  const selected = request.schemas.length > 0 || request.tables.length > 0 || request.exclude.length > 0;
  const unmatched = selected ? [] : unmatchedProfileTables(masking, tables);
  if (unmatched.length > 0) {
    throw new RestorepointError('INPUT_INVALID', `masking profile "${masking.name}" names ${unmatched.join(', ')}, which the export does not hold (a misspelt table would be left unmasked); nothing was exported`, { profile: masking.name });
  }
  return new Map(tables.map((t) => [`${t.schema}.${t.name}`, tableMasks(masking, t, t.columns)]));
}
