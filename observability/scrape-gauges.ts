import type { Knex } from 'knex';
import pg from 'pg';
import type { Logger } from 'pino';
import { openAlertCounts } from '../catalog/alerts-repo';
import type { RestorepointMetrics } from './metrics';

/** Sources are read at most this often, whatever the scrape interval: a scrape must not load them. */
const SOURCE_READ_EVERY_MS = 30_000;

/**
 * Sets the gauges that describe state rather than events, when scraped: the age of each
 * source's last good export (catalog), and each tracked source's trail size and time since
 * its last sealing (the source itself, read-only, at most every 30 s), and the unresolved alerts.
 */
export function scrapeGauges(metrics: RestorepointMetrics, catalog: Knex, sources: Readonly<Record<string, { readonly url: string }>>, log: Logger): () => Promise<void> {
  let sourcesReadAt = 0;
  return async () => {
    const rows = await catalog('exports')
      .select('source')
      .max({ finished: 'finished_at' })
      .where({ status: 'succeeded' })
      .whereNot({ verification_status: 'corrupt' })
      .groupBy('source');
    metrics.lastGoodExportAge.reset();
    for (const row of rows as { source: string; finished: Date | null }[]) {
      if (row.finished) metrics.lastGoodExportAge.set({ source: row.source }, (Date.now() - new Date(row.finished).getTime()) / 1000);
    }
    metrics.alertsOpen.reset();
    for (const open of await openAlertCounts(catalog)) metrics.alertsOpen.set({ source: open.source, kind: open.kind }, open.count);
    if (Date.now() - sourcesReadAt < SOURCE_READ_EVERY_MS) return;
    sourcesReadAt = Date.now();
    await Promise.all(Object.entries(sources).map(([name, source]) => readTrail(metrics, name, source.url).catch((error: unknown) => log.warn({ source: name, err: error }, 'trail metrics unavailable'))));
  };
}

async function readTrail(metrics: RestorepointMetrics, source: string, url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'restorepoint-metrics', connectionTimeoutMillis: 5000, statement_timeout: 5000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ installed: boolean }>("select to_regclass('restorepoint_trail.change') is not null as installed");
    if (!rows[0]?.installed) return;
    const { rows: [trail] } = await client.query<{ entries: string; bytes: string; sealed_age: number | null }>(
      `select greatest(c.reltuples, 0)::bigint::text as entries,
              pg_total_relation_size(c.oid)::text as bytes,
              extract(epoch from clock_timestamp() - (select max(sealed_at) from restorepoint_trail.seal_run))::float8 as sealed_age
         from pg_class c where c.oid = 'restorepoint_trail.change'::regclass`,
    );
    if (!trail) return;
    metrics.trailEntries.set({ source }, Number(trail.entries));
    metrics.trailBytes.set({ source }, Number(trail.bytes));
    if (trail.sealed_age !== null) metrics.trailSealAge.set({ source }, trail.sealed_age);
  } finally {
    await client.end().catch(() => undefined);
  }
}
