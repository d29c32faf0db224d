import { z } from 'zod';
import { int8 } from '../catalog/int8';
import type { Queryable } from '../postgres/queryable';
import { canonicalEntrySql, chainHash, TRAIL_GENESIS_HASH } from './entry-hash';
import { trailInstalled } from './install-trail';
import type { TrailHead } from './seal-trail';
import { readPrunePoint, upgradeForPruning } from './prune-point';
import { inTransaction } from './transaction';

/**
 * Why an entry breaks the chain: a position missing before it (`position gap`), its change row
 * gone (`entry missing`), its content or hash altered (`hash mismatch`), or a head recorded
 * earlier (the anchor) no longer found (`anchor mismatch`).
 */
export type TrailBreak = 'position gap' | 'entry missing' | 'hash mismatch' | 'anchor mismatch';

/**
 * The outcome of walking the sealed chain; a broken chain is a result, not an exception.
 * `entries` counts the entries found intact before the first broken one. Entries not sealed yet
 * are not covered: seal first (the CLI does).
 */
export type TrailVerification =
  | { readonly ok: true; readonly entries: number; readonly head: TrailHead | null }
  | {
      readonly ok: false;
      readonly entries: number;
      readonly firstBroken: {
        readonly position: number;
        /** The change entry the seal names; null when the seal row itself is missing. */
        readonly seq: number | null;
        readonly xid: string | null;
        readonly reason: TrailBreak;
        /** For a position gap the expected and found position; otherwise the expected and stored hash. */
        readonly expected: string;
        readonly actual: string;
      };
    };

export interface VerifyTrailOptions {
  /** Entries read per query; memory stays bounded by it whatever the trail's length. */
  readonly pageSize?: number;
  /**
   * A head recorded earlier outside the source database (the CLI keeps one in the audit
   * ledger). The chain alone cannot show that entries were cut off its end; this can.
   */
  readonly anchor?: TrailHead;
}

const linkSchema = z.object({
  position: int8,
  xid: z.string(),
  seq: int8,
  hash: z.string(),
  present: z.boolean(),
  canonical: z.string().nullable(),
});

/**
 * Recomputes the hash chain in position order, in Node, from the canonical text of each entry,
 * a page at a time inside one read-only snapshot. `client` must be one connection.
 */
export async function verifyTrail(client: Queryable, options: VerifyTrailOptions = {}): Promise<TrailVerification> {
  const pageSize = options.pageSize ?? 1000;
  const anchor = options.anchor;
  if (!(await trailInstalled(client))) return anchor ? anchorLost(0, anchor, null) : { ok: true, entries: 0, head: null };
  await upgradeForPruning(client);
  return inTransaction(client, 'repeatable read read only', async (): Promise<TrailVerification> => {
    // After pruning, the kept chain starts from the last pruned entry's hash (kept in `prune`,
    // and the archived copy was verified to end with it before anything was removed).
    const pruned = await readPrunePoint(client);
    let position = pruned?.position ?? 0;
    let hash = pruned?.hash ?? TRAIL_GENESIS_HASH;
    for (;;) {
      const { rows } = await client.query(
        `select s.position, s.xid::text as xid, s.seq, s.hash, c.seq is not null as present, ${canonicalEntrySql('s.position', 'c')} as canonical
           from restorepoint_trail.seal s left join restorepoint_trail.change c on c.xid = s.xid and c.seq = s.seq
          where s.position > $1 order by s.position limit $2`,
        [position, pageSize],
      );
      for (const row of rows) {
        const link = linkSchema.parse(row);
        const entry = { position: link.position, seq: link.seq, xid: link.xid };
        if (link.position !== position + 1) {
          return { ok: false, entries: position, firstBroken: { ...entry, reason: 'position gap', expected: String(position + 1), actual: String(link.position) } };
        }
        if (!link.present || link.canonical === null) {
          return { ok: false, entries: position, firstBroken: { ...entry, reason: 'entry missing', expected: link.hash, actual: '' } };
        }
        const recomputed = chainHash(hash, link.canonical);
        if (recomputed !== link.hash) {
          return { ok: false, entries: position, firstBroken: { ...entry, reason: 'hash mismatch', expected: recomputed, actual: link.hash } };
        }
        if (anchor && link.position === anchor.position && link.hash !== anchor.hash) return anchorLost(position, anchor, link.hash);
        position = link.position;
        hash = link.hash;
      }
      if (rows.length < pageSize) break;
    }
    if (anchor && anchor.position > position) return anchorLost(position, anchor, null);
    return { ok: true, entries: position, head: position === 0 ? null : { position, hash } };
  });
}

function anchorLost(intact: number, anchor: TrailHead, found: string | null): TrailVerification {
  return {
    ok: false,
    entries: intact,
    firstBroken: { position: anchor.position, seq: null, xid: null, reason: 'anchor mismatch', expected: anchor.hash, actual: found ?? '(no such entry)' },
  };
}
