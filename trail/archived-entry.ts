import { chainHash } from './entry-hash';
import type { TrailHead } from './seal-trail';
import type { TrailBreak } from './verify-trail';

/**
 * One sealed entry as archived (in incremental exports): its position, its hash and its
 * canonical text, exactly as the chain hashes it. The canonical text is a JSON array
 * (see entry-hash.ts: encoding, position, seq, xid, at, schema, table, op, key, old_row,
 * new_row, partition, actor, db_user, application), so an archive is readable and replayable
 * on its own, and verifiable without the source: each hash follows from the previous one.
 */
export interface ArchivedEntry {
  readonly position: number;
  readonly hash: string;
  readonly canonical: string;
}

/** Index of each field in the canonical array (entry-hash.ts's order). */
export const CANONICAL_FIELD = { position: 1, seq: 2, xid: 3, at: 4, schema: 5, table: 6, op: 7, key: 8, oldRow: 9, newRow: 10, partition: 11, actor: 12 } as const;

/** One line of an archive part (JSON lines; JSON escapes every control character). */
export function archiveLine(entry: ArchivedEntry): string {
  return `${JSON.stringify({ position: entry.position, hash: entry.hash, canonical: entry.canonical })}\n`;
}

export interface ChainBreak {
  readonly position: number;
  readonly reason: TrailBreak;
  readonly expected: string;
  readonly actual: string;
}

/**
 * Follows a chain from a known link (a parent export's last entry, or a prune point) and
 * reports the first entry that does not continue it: a position out of sequence, or a hash
 * that does not follow from the previous hash and the entry's canonical text.
 */
export class ChainFollower {
  private current: TrailHead;

  constructor(from: TrailHead) {
    this.current = from;
  }

  get head(): TrailHead {
    return this.current;
  }

  /** Null when `entry` continues the chain (and becomes its head), else what broke. */
  follow(entry: ArchivedEntry): ChainBreak | null {
    if (entry.position !== this.current.position + 1) {
      return { position: this.current.position + 1, reason: 'position gap', expected: String(this.current.position + 1), actual: String(entry.position) };
    }
    const recomputed = chainHash(this.current.hash, entry.canonical);
    if (recomputed !== entry.hash) return { position: entry.position, reason: 'hash mismatch', expected: recomputed, actual: entry.hash };
    this.current = { position: entry.position, hash: entry.hash };
    return null;
  }
}
