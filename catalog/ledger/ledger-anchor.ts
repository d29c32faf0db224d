import type { Knex } from 'knex';
import { z } from 'zod';
import type { ObjectStore } from '../../storage/object-store';
import { int8 } from '../int8';
import { appendLedger } from './append-ledger';

/**
 * A copy of the ledger's head kept outside the catalog. `catalog` names the ledger it belongs
 * to (database name and cluster system identifier), so several catalogs can anchor into one
 * bucket without reading each other's anchors.
 */
export interface LedgerAnchor {
  readonly catalog: string;
  readonly seq: number;
  readonly hash: string;
}

/** The `ledger.anchored` entries' subject. */
export const ANCHOR_SUBJECT = 'ledger:anchors';

/**
 * Anchors live in this folder of a destination. Export ids start with a letter or digit, so no
 * export's objects (which retention deletes by their id's prefix) can ever share it.
 */
const ANCHOR_FOLDER = '_ledger-anchors';

const SEQ_DIGITS = 16;

/** The folder of one catalog's anchors, ending with `/`. */
export const anchorFolder = (catalog: string) => `${ANCHOR_FOLDER}/${catalog}/`;

/**
 * Deterministic and sortable: the name alone says which head it anchors, so writing the same
 * head again writes the same object, and an anchor is never overwritten by a different one.
 */
export const anchorKey = (a: LedgerAnchor) => `${anchorFolder(a.catalog)}${String(a.seq).padStart(SEQ_DIGITS, '0')}-${a.hash}.json`;

const KEY_NAME = new RegExp(`^(\\d{${SEQ_DIGITS}})-([0-9a-f]{64})\\.json$`);

/** The anchor an object's key names, or undefined for anything else found in the folder. */
export function parseAnchorKey(catalog: string, key: string): LedgerAnchor | undefined {
  const folder = anchorFolder(catalog);
  if (!key.startsWith(folder)) return undefined;
  const match = KEY_NAME.exec(key.slice(folder.length));
  return match ? { catalog, seq: Number(match[1]), hash: match[2]! } : undefined;
}

const identitySchema = z.object({ name: z.string(), system: z.string().nullable() });

/**
 * The catalog's identity in anchor names: `<database>-<cluster system identifier>`, key-safe.
 * Where the server does not let its users read the system identifier, the database name alone.
 */
export async function catalogIdentity(db: Knex): Promise<string> {
  const system = await db
    .raw<{ rows: { system: string }[] }>(`select system_identifier::text as system from pg_control_system()`)
    .then((r) => r.rows[0]?.system ?? null)
    .catch((error: { code?: string }) => {
      if (error.code === '42501') return null;
      throw error;
    });
  const { rows } = await db.raw<{ rows: unknown[] }>(`select current_database() as name`);
  const id = identitySchema.parse({ ...(rows[0] as object), system });
  const name = id.name.replace(/[^A-Za-z0-9_-]/g, '_');
  return id.system === null ? name : `${name}-${id.system}`;
}

const headSchema = z.object({ seq: int8, hash: z.string() });

/** The newest entry's seq and hash, or null for an empty ledger. */
export async function ledgerHead(db: Knex): Promise<{ readonly seq: number; readonly hash: string } | null> {
  const row: unknown = await db('ledger').orderBy('seq', 'desc').first('seq', 'hash');
  return row === undefined ? null : headSchema.parse(row);
}

/**
 * Writes the current head to `store` under its deterministic name, then appends a
 * `ledger.anchored` entry naming where it went (so deleting an anchor object is detected too).
 * Returns the anchored head, or null when the ledger is empty (nothing to anchor). Retrying is
 * harmless: the same head gives the same object, a newer head a new one.
 */
export async function anchorLedger(db: Knex, store: ObjectStore, request: { readonly actor: string; readonly reason: string }): Promise<LedgerAnchor | null> {
  const head = await ledgerHead(db);
  if (head === null) return null;
  const anchor: LedgerAnchor = { catalog: await catalogIdentity(db), ...head };
  const key = anchorKey(anchor);
  const body = { version: 1, ...anchor, anchoredAt: new Date().toISOString(), reason: request.reason };
  await store.putBytes(key, Buffer.from(`${JSON.stringify(body)}\n`), { contentType: 'application/json' });
  await appendLedger(db, {
    actor: request.actor,
    action: 'ledger.anchored',
    subject: ANCHOR_SUBJECT,
    outcome: 'ok',
    details: { location: store.url, key, seq: anchor.seq, hash: anchor.hash, reason: request.reason },
  });
  return anchor;
}
