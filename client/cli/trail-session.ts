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

/**
 * The head recorded by the last successful `trail verify` of this source, if any: kept outside
 * the source database, it shows whether entries were later cut off the chain's end.
 */
export async function lastVerifiedHead(source: string): Promise<TrailHead | undefined> {
  return withLedger(async (db) => {
    let head: TrailHead | undefined;
    for (let afterSeq = 0; ; ) {
      const page = await listLedger(db, { subject: trailSubject(source), action: 'trail.verified', afterSeq, limit: 1000 });
      for (const entry of page) {
        const recordedHead = entry.details.head as { position?: unknown; hash?: unknown } | null | undefined;
        if (entry.outcome === 'ok' && typeof recordedHead?.position === 'number' && typeof recordedHead.hash === 'string') {
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
