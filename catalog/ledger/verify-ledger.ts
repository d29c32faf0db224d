import type { Knex } from 'knex';
import { ledgerRowSchema, type LedgerEntry } from './ledger-entry';
import { GENESIS_HASH, ledgerHash } from './ledger-hash';

export type LedgerBreak = 'hash mismatch' | 'prev_hash mismatch' | 'sequence gap';

/**
 * The outcome of walking the chain. `entries` counts the entries found intact (before the first
 * broken one). A broken chain is a result, not an exception: callers decide how loudly to fail.
 * An intact chain proves nothing was changed or removed before `head`; entries cut off after it
 * are only detectable against a copy of the head kept elsewhere.
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
}

/**
 * Recomputes the hash chain in `seq` order, a page at a time, inside one read-only snapshot so
 * appends made meanwhile neither show up half-way nor count.
 */
export async function verifyLedger(db: Knex, options: VerifyOptions = {}): Promise<LedgerVerification> {
  const pageSize = options.pageSize ?? 1000;
  return db.transaction(
    async (trx): Promise<LedgerVerification> => {
      let prevSeq = 0;
      let prevHash = GENESIS_HASH;
      for (;;) {
        const rows: unknown[] = await trx('ledger').where('seq', '>', prevSeq).orderBy('seq').limit(pageSize);
        for (const row of rows) {
          const entry = ledgerRowSchema.parse(row);
          const fault = firstFault(entry, prevSeq, prevHash);
          if (fault) return { ok: false, entries: prevSeq, firstBroken: { seq: entry.seq, ...fault } };
          prevSeq = entry.seq;
          prevHash = entry.hash;
        }
        if (rows.length < pageSize) return { ok: true, entries: prevSeq, head: prevSeq === 0 ? null : { seq: prevSeq, hash: prevHash } };
      }
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
