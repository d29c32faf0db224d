import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { LedgerEntry } from './ledger-entry';

/** The `prevHash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** Names the encoding below, so a future change of it cannot collide with entries hashed today. */
const ENCODING = 'restorepoint.ledger.v1';

/**
 * sha256 (hex) of the canonical JSON array [encoding, seq, at, actor, action, subject, outcome,
 * details, prevHash]. Every field is hashed in the form the database gives back: `at` is a
 * millisecond ISO string (the table CHECKs that `at` has no finer digits, and JS Dates hold
 * milliseconds exactly) and `details` goes through canonicalJson, which jsonb's key reordering
 * and number rewriting cannot change. So recomputing from a stored row always reproduces it.
 */
export function ledgerHash(entry: Omit<LedgerEntry, 'hash'>): string {
  const encoded = canonicalJson([
    ENCODING,
    entry.seq,
    entry.at,
    entry.actor,
    entry.action,
    entry.subject,
    entry.outcome,
    entry.details,
    entry.prevHash,
  ]);
  return createHash('sha256').update(encoded, 'utf8').digest('hex');
}
