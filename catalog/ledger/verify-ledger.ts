import type { Knex } from 'knex';
import { ledgerRowSchema, type LedgerEntry } from './ledger-entry';
import { GENESIS_HASH, ledgerHash } from './ledger-hash';

/**
 * The chain's own faults, then the anchors' (kept outside the catalog): an entry whose hash is
 * not the one anchored for its seq (`anchor mismatch`: rewritten and re-hashed), an anchored
 * seq past the last entry (`anchor beyond head`: the tail cut off, or every entry deleted), or
 * an anchor the ledger says was written but is gone from its location (`anchor missing`).
 */
export type LedgerBreak = 'hash mismatch' | 'prev_hash mismatch' | 'sequence gap' | 'anchor mismatch' | 'anchor beyond head' | 'anchor missing';

/**
 * The outcome of walking the chain. `entries` counts the entries found intact (before the first
 * broken one; for an anchor's break, up to the last anchor that matched). A broken chain is a result, not an exception: callers decide how loudly to fail.
 * An intact chain proves nothing was changed or removed before `head`; entries cut off after it,
 * or a rewrite re-hashed to the end, are only detectable against the anchors passed in.
 */
export type LedgerVerification =
  | { readonly ok: true; readonly entries: number; readonly head: { readonly seq: number; readonly hash: string } | null }
  | {
      readonly ok: false;
      readonly entries: number;
      readonly firstBroken: {
        readonly seq: number;
        readonly reason: LedgerBreak;
        /** For a sequence gap the expected and found `seq`; otherwise the expected and stored hash. */
        readonly expected: string;
        readonly actual: string;
      };
    };

export interface VerifyOptions {
  /** Entries read per query; memory stays bounded by it whatever the ledger's length. */
  readonly pageSize?: number;
  /** Heads recorded outside the catalog (see ledger-anchor.ts); each must still be in the chain. */
  readonly anchors?: readonly { readonly seq: number; readonly hash: string }[];
}

/**
 * Recomputes the hash chain in `seq` order, a page at a time, inside one read-only snapshot so
 * appends made meanwhile neither show up half-way nor count.
 */
export async function verifyLedger(db: Knex, options: VerifyOptions = {}): Promise<LedgerVerification> {
  const pageSize = options.pageSize ?? 1000;
  const anchored = new Map<number, string[]>();
  for (const a of options.anchors ?? []) anchored.set(a.seq, [...(anchored.get(a.seq) ?? []), a.hash]);
  const beyond = [...anchored.keys()].reduce((a, b) => Math.max(a, b), 0);
  return db.transaction(
    async (trx): Promise<LedgerVerification> => {
      let prevSeq = 0;
      let prevHash = GENESIS_HASH;
      // A chain re-hashed after a rewrite links up again: only an anchor vouches for what precedes it.
      let vouched = 0;
      for (;;) {
        const rows: unknown[] = await trx('ledger').where('seq', '>', prevSeq).orderBy('seq').limit(pageSize);
        for (const row of rows) {
          const entry = ledgerRowSchema.parse(row);
          const fault = firstFault(entry, prevSeq, prevHash);
          if (fault) return { ok: false, entries: prevSeq, firstBroken: { seq: entry.seq, ...fault } };
          const other = anchored.get(entry.seq)?.find((hash) => hash !== entry.hash);
          if (other !== undefined) return { ok: false, entries: vouched, firstBroken: { seq: entry.seq, reason: 'anchor mismatch', expected: other, actual: entry.hash } };
          if (anchored.has(entry.seq)) vouched = entry.seq;
          prevSeq = entry.seq;
          prevHash = entry.hash;
        }
        if (rows.length < pageSize) break;
      }
      if (beyond > prevSeq) {
        const expected = anchored.get(beyond)![0]!;
        return { ok: false, entries: vouched, firstBroken: { seq: beyond, reason: 'anchor beyond head', expected, actual: '(no such entry)' } };
      }
      return { ok: true, entries: prevSeq, head: prevSeq === 0 ? null : { seq: prevSeq, hash: prevHash } };
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );
}

/** What is wrong with `entry` as the successor of (prevSeq, prevHash), checked link first. */
function firstFault(entry: LedgerEntry, prevSeq: number, prevHash: string): { reason: LedgerBreak; expected: string; actual: string } | undefined {
  if (entry.seq !== prevSeq + 1) return { reason: 'sequence gap', expected: String(prevSeq + 1), actual: String(entry.seq) };
  if (entry.prevHash !== prevHash) return { reason: 'prev_hash mismatch', expected: prevHash, actual: entry.prevHash };
  const { hash, ...unhashed } = entry;
  const recomputed = ledgerHash(unhashed);
  if (hash !== recomputed) return { reason: 'hash mismatch', expected: recomputed, actual: hash };
  return undefined;
}
