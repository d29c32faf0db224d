import type { Knex } from 'knex';
import { z } from 'zod';
import { int8 } from '../int8';
import { parseInput } from '../parse-input';
import type { JsonObject } from './canonical-json';
import { ledgerRowSchema, objectSchema, type LedgerEntry } from './ledger-entry';
import { GENESIS_HASH, ledgerHash } from './ledger-hash';

/** Advisory lock key serializing appends, the ASCII tag 'rp-ledgr' read as a bigint. */
const LEDGER_LOCK_KEY = '8246140861296174962';

const ledgerInputSchema = z.object({
  actor: z.string().min(1),
  action: z.string().min(1),
  subject: z.string().min(1).nullable().default(null),
  outcome: z.string().min(1),
  details: objectSchema<Readonly<Record<string, unknown>>>().default({}),
});
export type LedgerInput = z.input<typeof ledgerInputSchema>;

const headSchema = z.object({ now: z.date(), seq: int8.nullable(), hash: z.string().nullable() });

export interface AppendOptions {
  /**
   * Return the newest entry with the same actor, action, subject, outcome and details instead
   * of appending a second one: for a step that may run again after a worker died before its
   * result was recorded (a local activity re-runs when its workflow task did not complete).
   * Only for entries whose details name the one run they belong to (a restore id, say).
   */
  readonly once?: boolean;
}

/**
 * Appends one entry and returns it as stored.
 *
 * Appends are serialized by a transaction-scoped advisory lock: the next writer reads the head
 * only once the previous one has committed, so the chain never forks (and `seq`'s primary key
 * would reject a fork if anything bypassed the lock). The head is read in a statement after the
 * lock is granted, which sees that commit only under READ COMMITTED, hence the explicit level.
 * Passing a transaction appends inside it (savepoint): it must be READ COMMITTED, and other
 * appends wait until it ends.
 *
 * `details` is normalized through JSON first (Dates become strings, undefined members vanish),
 * so the returned entry equals what a later read gives back.
 */
export async function appendLedger(db: Knex, input: LedgerInput, { once = false }: AppendOptions = {}): Promise<LedgerEntry> {
  const fields = parseInput(ledgerInputSchema, input, 'ledger entry');
  const details = JSON.parse(JSON.stringify(fields.details)) as JsonObject;
  return db.transaction(
    async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(?::bigint)', [LEDGER_LOCK_KEY]);
      if (once) {
        const earlier = await findLedgerEntry(trx, { ...fields, details });
        if (earlier) return earlier;
      }
      const result = await trx.raw<{ rows: unknown[] }>(
        `select date_trunc('milliseconds', clock_timestamp()) as now, head.seq, head.hash
           from (select 1) as one
           left join lateral (select seq, hash from ledger order by seq desc limit 1) as head on true`,
      );
      const head = headSchema.parse(result.rows[0]);
      const unhashed = {
        seq: (head.seq ?? 0) + 1,
        at: head.now.toISOString(),
        actor: fields.actor,
        action: fields.action,
        subject: fields.subject,
        outcome: fields.outcome,
        details,
        prevHash: head.hash ?? GENESIS_HASH,
      };
      const entry: LedgerEntry = { ...unhashed, hash: ledgerHash(unhashed) };
      await trx('ledger').insert({
        seq: entry.seq,
        at: entry.at,
        actor: entry.actor,
        action: entry.action,
        subject: entry.subject,
        outcome: entry.outcome,
        details: JSON.stringify(entry.details),
        prev_hash: entry.prevHash,
        hash: entry.hash,
      });
      return entry;
    },
    { isolationLevel: 'read committed' },
  );
}

/**
 * The newest entry with exactly this actor, action, subject, outcome and details (compared as
 * JSON), if any: what `appendLedger(..., { once: true })` returns instead of appending. A step
 * also reads it to learn whether an earlier attempt of its own got as far as that entry.
 */
export async function findLedgerEntry(db: Knex, input: LedgerInput): Promise<LedgerEntry | undefined> {
  const fields = parseInput(ledgerInputSchema, input, 'ledger entry');
  const row: unknown = await db('ledger')
    .where({ subject: fields.subject, action: fields.action, actor: fields.actor, outcome: fields.outcome })
    .whereRaw('details = ?::jsonb', [JSON.stringify(fields.details)])
    .orderBy('seq', 'desc')
    .first();
  return row ? ledgerRowSchema.parse(row) : undefined;
}

/**
 * Runs `work` in one transaction in which entries may be appended (READ COMMITTED, as
 * appendLedger needs): for a step whose catalog change and ledger entry must commit together.
 * A step that decides from the catalog whether its entry is still to be written would, after
 * dying between two separate commits, skip the entry for good when it runs again.
 */
export function withLedgerTransaction<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(work, { isolationLevel: 'read committed' });
}
