import type { Knex } from 'knex';
import pg from 'pg';
import { withCatalog } from '../../catalog/catalog-db';
import { appendLedger, listLedger } from '../../catalog/ledger';
import { loadConfig } from '../../config/load';
import { resolveSource } from '../../activities/deps';
import { isRestorepointError } from '../../core/errors';
import type { TrailHead } from '../../trail';
import { currentUser } from './commands/export';

/** Runs `work` on one connection to the named source; the trail's functions need one connection. */
export async function withSourceClient<T>(source: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: resolveSource(loadConfig(), source).url, application_name: 'restorepoint' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The ledger subject for everything done to a source's trail. */
export const trailSubject = (source: string) => `trail:${source}`;

/**
 * Runs `work` and records it in the audit ledger under `action`, as `ok` with the details it
 * returns, or as `failed` with the error's code before rethrowing it.
 */
export async function recorded<T>(action: string, source: string, work: () => Promise<{ result: T; outcome?: string; details: Readonly<Record<string, unknown>> }>): Promise<T> {
  const entry = { actor: currentUser(), action, subject: trailSubject(source) };
  let done: { result: T; outcome?: string; details: Readonly<Record<string, unknown>> };
  try {
    done = await work();
  } catch (error) {
    const code = isRestorepointError(error) ? error.code : (error as Error).name;
    await withLedger((db) => appendLedger(db, { ...entry, outcome: 'failed', details: { error: code, message: (error as Error).message } }));
    throw error;
  }
  await withLedger((db) => appendLedger(db, { ...entry, outcome: done.outcome ?? 'ok', details: done.details }));
  return done.result;
}

/** The ledger action that moves a source's trail anchor to a lower or different head, on purpose. */
export const REANCHOR_ACTION = 'trail.reanchored';

/**
 * The trail's anchor: the head recorded outside the source database that the next verification
 * must still find. It moves forward with each `trail verify` that checked the previous anchor
 * and passed; only `trail reanchor` (its own ledger entry, with who and why) can set it to a
 * head that does not extend the last one. A `trail verify --no-anchor` never moves it.
 * Entries written before `anchorChecked` existed are taken as checked.
 */
export async function currentTrailAnchor(source: string): Promise<TrailHead | undefined> {
  return withLedger(async (db) => {
    let head: TrailHead | undefined;
    for (let afterSeq = 0; ; ) {
      const page = await listLedger(db, { subject: trailSubject(source), afterSeq, limit: 1000 });
      for (const entry of page) {
        if (entry.outcome !== 'ok') continue;
        const moved =
          entry.action === 'trail.verified' && entry.details.anchorChecked !== false ? entry.details.head : entry.action === REANCHOR_ACTION ? entry.details.to : undefined;
        const recordedHead = moved as { position?: unknown; hash?: unknown } | null | undefined;
        if (typeof recordedHead?.position === 'number' && typeof recordedHead.hash === 'string') {
          head = { position: recordedHead.position, hash: recordedHead.hash };
        }
      }
      if (page.length < 1000) return head;
      afterSeq = page.at(-1)!.seq;
    }
  });
}

function withLedger<T>(work: (db: Knex) => Promise<T>): Promise<T> {
  return withCatalog(loadConfig().catalog.url, (db) => work(db));
}
