import type { Knex } from 'knex';

export interface RestoreClaim {
  /** `<system identifier>/<database name>` of the target. */
  readonly database: string;
  readonly tables: readonly string[];
  readonly restoreId: string;
  readonly exportId: string;
  /** The connection name the restore was given. */
  readonly target: string;
}

export interface ClaimHolder {
  readonly table: string;
  readonly restoreId: string;
  readonly claimedAt: Date;
}

/**
 * Records that `restoreId` holds its tables. Called only while the restore holds the advisory
 * locks on them, so any row already there is a released or dead restore's and is taken over.
 */
export async function recordClaim(db: Knex, claim: RestoreClaim): Promise<void> {
  if (claim.tables.length === 0) return;
  await db('restore_claims')
    .insert(claim.tables.map((table) => ({ database: claim.database, table_name: table, restore_id: claim.restoreId, export_id: claim.exportId, target: claim.target, claimed_at: db.fn.now(), released_at: null, committed_at: null })))
    .onConflict(['database', 'table_name'])
    .merge(['restore_id', 'export_id', 'target', 'claimed_at', 'released_at', 'committed_at']);
}

/**
 * Marks a restore's claims released (its transaction has ended); with `summary`, the
 * transaction committed and that is what it reported. Harmless when repeated.
 */
export async function releaseClaim(db: Knex, restoreId: string, summary?: unknown): Promise<void> {
  await db('restore_claims')
    .where({ restore_id: restoreId })
    .whereNull('released_at')
    .update({ released_at: db.fn.now(), ...(summary === undefined ? {} : { committed_at: db.fn.now(), summary: JSON.stringify(summary) }) });
}

/**
 * What `restoreId` reported when it committed into every one of `tables` of `database`, with
 * no restore claiming them since; undefined otherwise. A retry whose earlier attempt committed
 * but died before reporting finds its own rows this way instead of TARGET_NOT_EMPTY.
 */
export async function committedSummary(db: Knex, database: string, tables: readonly string[], restoreId: string): Promise<unknown> {
  const rows: { summary: unknown }[] = await db('restore_claims')
    .where({ database, restore_id: restoreId })
    .whereIn('table_name', [...tables])
    .whereNotNull('committed_at')
    .select('summary');
  return rows.length === new Set(tables).size && rows.length > 0 ? rows[0]!.summary : undefined;
}

/** Who the catalog says holds some of `tables` in `database` (unreleased claims only). */
export async function claimHolders(db: Knex, database: string, tables: readonly string[]): Promise<ClaimHolder[]> {
  const rows: { table_name: string; restore_id: string; claimed_at: Date }[] = await db('restore_claims')
    .where({ database })
    .whereIn('table_name', [...tables])
    .whereNull('released_at')
    .select('table_name', 'restore_id', 'claimed_at');
  return rows.map((r) => ({ table: r.table_name, restoreId: r.restore_id, claimedAt: r.claimed_at }));
}
