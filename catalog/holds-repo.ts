import type { Knex } from 'knex';
import { z } from 'zod';
import { RestorepointError } from '../core/errors';
import { appendLedger } from './ledger';
import { parseInput } from './parse-input';

const holdRowSchema = z
  .object({
    id: z.union([z.number(), z.string()]).transform(String),
    export_id: z.string(),
    reason: z.string(),
    placed_by: z.string(),
    placed_at: z.date(),
    released_by: z.string().nullable(),
    release_reason: z.string().nullable(),
    released_at: z.date().nullable(),
  })
  .transform((r) => ({
    id: r.id,
    exportId: r.export_id,
    reason: r.reason,
    placedBy: r.placed_by,
    placedAt: r.placed_at,
    releasedBy: r.released_by,
    releaseReason: r.release_reason,
    releasedAt: r.released_at,
  }));
/** One legal hold on one export; `releasedAt` is null while it is active. */
export type LegalHold = Readonly<z.output<typeof holdRowSchema>>;

const holdChangeSchema = z.object({
  exportId: z.string().min(1),
  reason: z.string().trim().min(1, 'a reason is required: holds are audited'),
  actor: z.string().min(1),
});
export type HoldChange = z.input<typeof holdChangeSchema>;

/** `changed: false` means the export was already in the asked state; `hold` is then the active (or last) hold. */
export interface HoldOutcome {
  readonly changed: boolean;
  readonly hold: LegalHold | undefined;
}

/**
 * Places a legal hold. The export row is locked first, so a retention run deleting it either
 * finished before (the hold is refused: the export is gone) or sees the hold and skips it.
 * Holding an export that is already held changes nothing and returns the active hold.
 */
export async function placeHold(db: Knex, change: HoldChange): Promise<HoldOutcome> {
  const c = parseInput(holdChangeSchema, change, 'legal hold');
  return db.transaction(async (trx) => {
    await lockLiveExport(trx, c.exportId);
    const active = await activeHold(trx, c.exportId);
    if (active) return { changed: false, hold: active };
    const [row] = await trx('legal_holds').insert({ export_id: c.exportId, reason: c.reason, placed_by: c.actor }).returning('*');
    await trx('exports').where({ id: c.exportId }).update({ legal_hold: true });
    const hold = holdRowSchema.parse(row);
    await appendLedger(trx, { actor: c.actor, action: 'hold.placed', subject: c.exportId, outcome: 'ok', details: { holdId: hold.id, reason: c.reason } });
    return { changed: true, hold };
  });
}

/** Releases the active hold; releasing an export that is not held changes nothing. */
export async function releaseHold(db: Knex, change: HoldChange): Promise<HoldOutcome> {
  const c = parseInput(holdChangeSchema, change, 'legal hold release');
  return db.transaction(async (trx) => {
    const exists = await trx('exports').where({ id: c.exportId }).forUpdate().first('id');
    if (!exists) throw new RestorepointError('EXPORT_NOT_FOUND', `no export "${c.exportId}" in the catalog`, { exportId: c.exportId });
    const active = await activeHold(trx, c.exportId);
    if (!active) return { changed: false, hold: (await listHolds(trx, { exportId: c.exportId }))[0] };
    const [row] = await trx('legal_holds')
      .where({ id: active.id })
      .update({ released_by: c.actor, release_reason: c.reason, released_at: trx.fn.now() })
      .returning('*');
    await trx('exports').where({ id: c.exportId }).update({ legal_hold: false });
    const hold = holdRowSchema.parse(row);
    await appendLedger(trx, {
      actor: c.actor,
      action: 'hold.released',
      subject: c.exportId,
      outcome: 'ok',
      details: { holdId: hold.id, reason: c.reason, placedBy: hold.placedBy, placedReason: hold.reason },
    });
    return { changed: true, hold };
  });
}

export interface HoldFilter {
  /** Every hold of this export, released ones too; without it, the active holds of all exports. */
  readonly exportId?: string;
}

/** Holds, newest first. */
export async function listHolds(db: Knex, filter: HoldFilter = {}): Promise<readonly LegalHold[]> {
  const rows: unknown[] = await db('legal_holds')
    .modify((q) => {
      if (filter.exportId !== undefined) q.where({ export_id: filter.exportId });
      else q.whereNull('released_at');
    })
    .orderBy([
      { column: 'placed_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
  return rows.map((row) => holdRowSchema.parse(row));
}

async function activeHold(db: Knex, exportId: string): Promise<LegalHold | undefined> {
  const row: unknown = await db('legal_holds').where({ export_id: exportId }).whereNull('released_at').first();
  return row === undefined ? undefined : holdRowSchema.parse(row);
}

/** Locks the export row; a missing or deleted export cannot be held. */
async function lockLiveExport(trx: Knex.Transaction, exportId: string): Promise<void> {
  const row = (await trx('exports').where({ id: exportId }).forUpdate().first('status', 'deleted_at')) as { status: string; deleted_at: Date | null } | undefined;
  if (!row) throw new RestorepointError('EXPORT_NOT_FOUND', `no export "${exportId}" in the catalog`, { exportId });
  if (row.status === 'deleted') {
    const when = row.deleted_at ? ` on ${row.deleted_at.toISOString()}` : '';
    throw new RestorepointError('EXPORT_NOT_FOUND', `export "${exportId}" was deleted${when}: there is nothing left to hold`, { exportId, status: 'deleted' });
  }
}
