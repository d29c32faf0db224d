import type { Knex } from 'knex';
import { z } from 'zod';
import { parseInput } from '../parse-input';
import { ledgerRowSchema, type LedgerEntry } from './ledger-entry';

const ledgerQuerySchema = z.object({
  subject: z.string().min(1).optional(),
  action: z.string().min(1).optional(),
  limit: z.number().int().min(1).max(10_000).default(100),
  afterSeq: z.number().int().min(0).default(0),
});
/** Entries about `subject` and/or of `action`, oldest first; page on with `afterSeq` = the last seq seen. */
export type LedgerQuery = z.input<typeof ledgerQuerySchema>;

export async function listLedger(db: Knex, query: LedgerQuery = {}): Promise<readonly LedgerEntry[]> {
  const q = parseInput(ledgerQuerySchema, query, 'ledger query');
  const rows: unknown[] = await db('ledger')
    .where('seq', '>', q.afterSeq)
    .modify((builder) => {
      if (q.subject !== undefined) builder.where({ subject: q.subject });
      if (q.action !== undefined) builder.where({ action: q.action });
    })
    .orderBy('seq')
    .limit(q.limit);
  return rows.map((row) => ledgerRowSchema.parse(row));
}
