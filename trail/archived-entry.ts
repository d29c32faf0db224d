import { chainHash } from './entry-hash';
import type { TrailHead } from './seal-trail';
import type { TrailOperation } from './trail-entry';
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

/**
 * An entry about to be archived, with what it changed beside its canonical text, so an archive's
 * changes are tallied by table and operation without parsing every entry's text again.
 */
export interface ArchivableEntry extends ArchivedEntry {
  readonly schema: string;
  readonly table: string;
  readonly op: TrailOperation;
}

const OPERATIONS: ReadonlySet<string> = new Set<TrailOperation>(['insert', 'update', 'delete', 'truncate']);

/**
 * An archivable entry from a row selecting `position`, `canonical`, `schema_name`, `table_name`
 * and `op`, with the hash `hashOf` gives for its canonical text (the stored one, or the one
 * sealing chains now). Checked by hand: this runs once per entry on the hot path of sealing and
 * archiving, where a zod schema cost ~6 µs a row, more than hashing the entry (~2.5 µs).
 */
export function archivableEntry(row: Readonly<Record<string, unknown>>, hashOf: (canonical: string) => string): ArchivableEntry {
  const { position, canonical, schema_name: schema, table_name: table, op } = row;
  if (typeof position !== 'string' || typeof canonical !== 'string' || typeof schema !== 'string' || typeof table !== 'string' || typeof op !== 'string' || !OPERATIONS.has(op)) {
    throw new Error(`not a trail entry row: ${JSON.stringify(row).slice(0, 300)}`);
  }
  return { position: Number(position), hash: hashOf(canonical), canonical, schema, table, op: op as TrailOperation };
}

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
