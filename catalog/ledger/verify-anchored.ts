import type { Knex } from 'knex';
import { z } from 'zod';
import type { ObjectStore } from '../../storage/object-store';
import { int8 } from '../int8';
import { anchorFolder, catalogIdentity, parseAnchorKey, type LedgerAnchor } from './ledger-anchor';
import { verifyLedger, type LedgerVerification } from './verify-ledger';

/** One place anchors were looked for, how many of this catalog's were found, or why it could not be read. */
export interface AnchorLocation {
  readonly location: string;
  readonly anchors: number;
  readonly error?: string;
}

export type AnchoredVerification = LedgerVerification & {
  readonly anchors: {
    readonly catalog: string;
    /** Anchors found and checked against the chain. */
    readonly checked: number;
    readonly newest: LedgerAnchor | null;
    readonly locations: readonly AnchorLocation[];
  };
};

export interface AnchoredVerifyOptions {
  /** `ledger.anchorTo` from the config: read first, and a failure to read it fails the verification. */
  readonly configured?: string;
  readonly pageSize?: number;
}

const recordedSchema = z.object({ seq: int8, location: z.string().nullable(), key: z.string().nullable() });

/**
 * Verifies the chain against every anchor of this catalog found outside it: at the configured
 * location (which neither the catalog nor a bucket of exports can hide), at every export's
 * destination, and wherever a `ledger.anchored` entry says one was written. Then, if the chain
 * holds, checks that each anchor the ledger recorded is still where it was written. A location
 * that cannot be read (a destination since removed) is reported, not fatal, unless configured.
 */
export async function verifyAnchoredLedger(db: Knex, openStore: (destination: string) => ObjectStore, options: AnchoredVerifyOptions = {}): Promise<AnchoredVerification> {
  const catalog = await catalogIdentity(db);
  const recorded = ((await db('ledger').where({ action: 'ledger.anchored' }).orderBy('seq').select('seq', db.raw(`details->>'location' as location`), db.raw(`details->>'key' as key`))) as unknown[]).map((r) =>
    recordedSchema.parse(r),
  );
  const destinations = ((await db('exports').distinct('destination')) as { destination: string }[]).map((r) => r.destination);
  const candidates = [...(options.configured ? [options.configured] : []), ...destinations, ...recorded.flatMap((r) => (r.location ? [r.location] : []))];

  const anchors: LedgerAnchor[] = [];
  const found = new Set<string>();
  const locations = new Map<string, AnchorLocation>();
  for (const candidate of candidates) {
    const configured = candidate === options.configured;
    let store: ObjectStore;
    try {
      store = openStore(candidate);
    } catch (error) {
      if (configured) throw error;
      locations.set(candidate, { location: candidate, anchors: 0, error: (error as Error).message });
      continue;
    }
    if (locations.has(store.url)) continue;
    try {
      let count = 0;
      for await (const object of store.list(anchorFolder(catalog))) {
        const anchor = parseAnchorKey(catalog, object.key);
        if (!anchor) continue;
        anchors.push(anchor);
        found.add(`${store.url}\n${object.key}`);
        count += 1;
      }
      locations.set(store.url, { location: store.url, anchors: count });
    } catch (error) {
      if (configured) throw error;
      locations.set(store.url, { location: store.url, anchors: 0, error: (error as Error).message });
    }
  }

  const newest = anchors.reduce<LedgerAnchor | null>((a, b) => (a === null || b.seq > a.seq ? b : a), null);
  const summary = { catalog, checked: anchors.length, newest, locations: [...locations.values()] };
  const result = await verifyLedger(db, { anchors, pageSize: options.pageSize });
  if (!result.ok) return { ...result, anchors: summary };

  const readable = new Set(summary.locations.filter((l) => l.error === undefined).map((l) => l.location));
  const missing = recorded.find((r) => r.location !== null && r.key !== null && readable.has(r.location) && !found.has(`${r.location}\n${r.key}`));
  if (missing) {
    return {
      ok: false,
      entries: result.entries,
      firstBroken: { seq: missing.seq, reason: 'anchor missing', expected: `${missing.location}/${missing.key}`, actual: '(absent)' },
      anchors: summary,
    };
  }
  return { ...result, anchors: summary };
}
