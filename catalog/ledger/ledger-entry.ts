import { z } from 'zod';
import { int8 } from '../int8';
import type { JsonObject } from './canonical-json';

/** One audit record as stored: who did what to which subject, how it ended, and its chain link. */
export interface LedgerEntry {
  /** 1, 2, 3, ... without gaps. */
  readonly seq: number;
  /** When it was appended, by the catalog database's clock, as an ISO-8601 UTC string with milliseconds. */
  readonly at: string;
  readonly actor: string;
  /** What happened, dotted: `export.requested`, `rollback.approved`. */
  readonly action: string;
  /** What it happened to, usually an export id; null for actions on no one thing. */
  readonly subject: string | null;
  /** `ok`, `failed`, `refused`, ... */
  readonly outcome: string;
  readonly details: JsonObject;
  /** The previous entry's hash; 64 zeros for the first entry. */
  readonly prevHash: string;
  /** sha256 of this entry, see ledgerHash. */
  readonly hash: string;
}

/**
 * An object, checked without copying it: zod's record schema rebuilds objects by assignment,
 * which would turn a `__proto__` key into a prototype and so change what gets hashed.
 */
export function objectSchema<T extends object>() {
  return z.custom<T>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'an object');
}

export const ledgerRowSchema = z
  .object({
    seq: int8,
    at: z.date(),
    actor: z.string(),
    action: z.string(),
    subject: z.string().nullable(),
    outcome: z.string(),
    details: objectSchema<JsonObject>(),
    prev_hash: z.string(),
    hash: z.string(),
  })
  .transform(
    (r): LedgerEntry => ({
      seq: r.seq,
      at: r.at.toISOString(),
      actor: r.actor,
      action: r.action,
      subject: r.subject,
      outcome: r.outcome,
      details: r.details,
      prevHash: r.prev_hash,
      hash: r.hash,
    }),
  );
