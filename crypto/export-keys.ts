import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { RestorepointError } from '../core/errors';
import { ENCRYPTION_SCHEME } from './chunked-aead';
import type { KeyProvider } from './key-provider';
import { ObjectCipher } from './object-cipher';

/** An export's key record as the catalog holds it (the wrapped key itself stays inside this module). */
export interface ExportKeyRecord {
  readonly exportId: string;
  readonly scheme: string;
  readonly provider: string;
  readonly keyId: string;
  readonly manifestMac: string | null;
  readonly createdAt: Date;
  readonly rewrappedAt: Date | null;
  readonly destroyedAt: Date | null;
  readonly destroyedBy: string | null;
}

interface Row {
  export_id: string;
  scheme: string;
  provider: string;
  key_id: string;
  wrapped_key: Buffer | null;
  manifest_mac: string | null;
  created_at: Date;
  rewrapped_at: Date | null;
  destroyed_at: Date | null;
  destroyed_by: string | null;
}

const toRecord = (r: Row): ExportKeyRecord => ({
  exportId: r.export_id,
  scheme: r.scheme,
  provider: r.provider,
  keyId: r.key_id,
  manifestMac: r.manifest_mac,
  createdAt: r.created_at,
  rewrappedAt: r.rewrapped_at,
  destroyedAt: r.destroyed_at,
  destroyedBy: r.destroyed_by,
});

const contextOf = (exportId: string) => `restorepoint export ${exportId}`;

export async function getExportKey(db: Knex, exportId: string): Promise<ExportKeyRecord | undefined> {
  const row = await db<Row>('export_keys').where({ export_id: exportId }).first();
  return row ? toRecord(row) : undefined;
}

/**
 * The export's cipher, its data key made on first call and wrapped under the provider's
 * current key: a retried attempt gets the same key back (the insert is idempotent and the
 * first writer wins), so parts an earlier attempt stored stay readable.
 */
export async function cipherForNewExport(db: Knex, keys: KeyProvider, exportId: string): Promise<ObjectCipher> {
  if (!(await db<Row>('export_keys').where({ export_id: exportId }).first())) {
    const dataKey = randomBytes(32);
    const { keyId, wrapped } = await keys.wrap(dataKey, contextOf(exportId));
    await db('export_keys').insert({ export_id: exportId, scheme: ENCRYPTION_SCHEME, provider: keys.kind, key_id: keyId, wrapped_key: wrapped }).onConflict('export_id').ignore();
  }
  return cipherOf(db, keys, exportId);
}

/** The cipher of an existing encrypted export: KEY_MISSING without a key record, KEY_DESTROYED once shredded. */
export async function cipherOf(db: Knex, keys: KeyProvider, exportId: string): Promise<ObjectCipher> {
  const row = await db<Row>('export_keys').where({ export_id: exportId }).first();
  if (!row) throw new RestorepointError('KEY_MISSING', `export ${exportId} is encrypted but the catalog holds no data key for it; nothing was read`, { exportId });
  if (row.destroyed_at || !row.wrapped_key) {
    throw new RestorepointError('KEY_DESTROYED', `export ${exportId} was crypto-shredded${row.destroyed_at ? ` on ${row.destroyed_at.toISOString()}` : ''}: its data can never be read again`, { exportId });
  }
  return new ObjectCipher(exportId, await keys.unwrap(row.key_id, row.wrapped_key, contextOf(exportId)));
}

export async function recordManifestMac(db: Knex, exportId: string, mac: string): Promise<void> {
  await db('export_keys').where({ export_id: exportId }).update({ manifest_mac: mac });
}

/** Destroys the wrapped data key (crypto-shredding); false when it was already destroyed. */
export async function destroyDataKey(db: Knex, exportId: string, actor: string): Promise<boolean> {
  const changed = await db('export_keys').where({ export_id: exportId }).whereNull('destroyed_at').update({ wrapped_key: null, destroyed_at: db.fn.now(), destroyed_by: actor });
  return changed > 0;
}

/**
 * Re-wraps every live data key not yet under the provider's current key (after a rotation):
 * no object is rewritten, the data keys stay the same. Cloud KMS keeps one key id across its
 * versions, so there every live key is re-wrapped (under the primary version). Returns the
 * exports re-wrapped; `beat` is called after each (an activity's heartbeat).
 */
export async function rewrapDataKeys(db: Knex, keys: KeyProvider, beat: () => void = () => undefined): Promise<readonly { readonly exportId: string; readonly from: string; readonly to: string }[]> {
  const current = await keys.currentKeyId();
  const rows = await db<Row>('export_keys')
    .whereNull('destroyed_at')
    .modify((q) => {
      if (keys.kind === 'local') q.whereNot({ key_id: current });
    })
    .orderBy('export_id');
  const done: { exportId: string; from: string; to: string }[] = [];
  for (const row of rows) {
    const dataKey = await keys.unwrap(row.key_id, row.wrapped_key!, contextOf(row.export_id));
    const { keyId, wrapped } = await keys.wrap(dataKey, contextOf(row.export_id));
    // Only if nobody shredded or re-wrapped it meanwhile.
    const changed = await db('export_keys').where({ export_id: row.export_id, key_id: row.key_id }).whereNull('destroyed_at').update({ key_id: keyId, wrapped_key: wrapped, rewrapped_at: db.fn.now() });
    if (changed > 0) done.push({ exportId: row.export_id, from: row.key_id, to: keyId });
    beat();
  }
  return done;
}
