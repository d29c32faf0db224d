/**
 * Time to detect an accident, measured: `node --import tsx bench/time-to-detect.ts
 * [--every 5] [--rounds 5] [--rows 10000]` against the local stack (scripts/bench.sh's set-up).
 *
 * A worker process of its own runs the alert watch on a Temporal Schedule every `--every`
 * seconds (`restorepoint schedule detect`), with a webhook served here. Each round, while a
 * light steady writer keeps another tracked table busy, one transaction deletes `--rows` rows of
 * a fresh tracked table; the clock starts when its COMMIT returns and stops when (a) the alert's
 * row is in the catalog (`raised_at`) and (b) the signed webhook delivery arrives. Default
 * thresholds except 10 s windows (30 of history), after three windows of steady traffic. Prints each round,
 * the medians and the worst, and writes bench/results/time-to-detect-<time>.json.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrateCatalog, openCatalog } from '../catalog/catalog-db';
import { connectClient } from '../client/connect';
import { deleteSchedule, upsertSchedule } from '../client/schedules';
import { configSchema } from '../config/schema';
import { localIdentityConfig } from '../identity/local-issuer';
import { readStackState } from '../stack/state';
import { withDatabase } from '../stack/urls';
import { trackTables } from '../trail';
import { describeMachine } from './machine';
import { WorkerProcess } from './worker-process';
import { median } from './measurement';

const WINDOW_SECONDS = 10;
const WARM_UP_WINDOWS = 3;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const log = (line: string) => process.stderr.write(`[time-to-detect] ${line}\n`);
async function admin(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const every = option('every', 5);
  const rounds = option('rounds', 5);
  const rows = option('rows', 10_000);
  const stack = readStackState();
  if (!stack) throw new Error('no local stack: run `npx restorepoint stack up` first');
  const suffix = randomBytes(4).toString('hex');
  const sourceDb = `detect_${suffix}`;
  const catalogDb = `detect_catalog_${suffix}`;
  for (const name of [sourceDb, catalogDb]) await admin(stack.postgres.adminUrl, `create database ${name}`);
  const dropDatabases = async () => {
    for (const name of [sourceDb, catalogDb]) await admin(stack.postgres.adminUrl, `drop database if exists ${name} with (force)`).catch(() => undefined);
  };
  try {
    await measure(sourceDb, catalogDb, every, rounds, rows);
  } finally {
    await dropDatabases();
  }
}

async function measure(sourceDb: string, catalogDb: string, every: number, rounds: number, rows: number): Promise<void> {
  const stack = readStackState()!;
  const suffix = sourceDb.slice('detect_'.length);
  const sourceUrl = withDatabase(stack.postgres.adminUrl, sourceDb);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-detect-'));

  const received: { at: number; body: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ at: Date.now(), body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fs.writeFileSync(path.join(workDir, 'secret'), randomBytes(24).toString('hex'));

  // Ten-second windows, so the steady table's baseline is learned within a minute (a pass judges
  // a busy table against the windows since its first change); the time to detect does not depend on them.
  const config = configSchema.parse({
    temporal: { address: stack.temporal.address, taskQueue: `bench-detect-${suffix}` },
    catalog: { url: withDatabase(stack.postgres.adminUrl, catalogDb) },
    sources: { shop: { url: sourceUrl } },
    gcs: { emulatorHost: stack.gcs.url },
    worker: { shutdownGraceSeconds: 1 },
    export: {},
    identity: localIdentityConfig(),
    metrics: { host: '127.0.0.1', port: 0 },
    alerts: { webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, webhookSecretFile: path.join(workDir, 'secret'), windowSeconds: WINDOW_SECONDS, historyWindows: 30 },
  });
  const catalog = openCatalog(config.catalog.url);
  await migrateCatalog(catalog);
  const source = new pg.Client({ connectionString: sourceUrl, application_name: 'bench-detect' });
  await source.connect();
  await source.query('create table steady (id int primary key, n int not null default 0)');
  await source.query('insert into steady (id) select g from generate_series(1, 5000) g');
  await trackTables(source, ['public.steady']);

  const worker = await WorkerProcess.start(config, { configFile: path.join(workDir, 'worker-config.json'), logFile: path.join(process.env.RESTOREPOINT_HOME ?? path.resolve(__dirname, '..', '.restorepoint'), 'bench-detect-worker.log') });
  const client = await connectClient(config);
  const scheduleId = `bench-detect-${suffix}`;
  let writing = true;
  const steadyClient = new pg.Client({ connectionString: sourceUrl, application_name: 'bench-steady' });
  await steadyClient.connect();
  // About 50 single-row updates a second by a handful of app users: ordinary traffic, never an alert.
  const steady = (async () => {
    while (writing) {
      await steadyClient.query('begin');
      await steadyClient.query("select set_config('restorepoint.actor', $1, true)", [`clerk-${Math.floor(Math.random() * 5)}@shop`]);
      await steadyClient.query('update steady set n = n + 1 where id = $1', [1 + Math.floor(Math.random() * 5000)]);
      await steadyClient.query('commit');
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  const results: { round: number; toCatalogSeconds: number; toWebhookSeconds: number }[] = [];
  try {
    log(`steady traffic for ${WARM_UP_WINDOWS} windows of ${WINDOW_SECONDS} s before the first round (its baseline)`);
    await new Promise((r) => setTimeout(r, WARM_UP_WINDOWS * WINDOW_SECONDS * 1000));
    await upsertSchedule(client, { scheduleId, kind: 'detect', timing: { every: `${every}s` }, workflowType: 'alertWatchWorkflow', args: [{ sources: ['shop'] }], description: `bench: detection every ${every} s` });
    log(`schedule ${scheduleId}: the alert watch every ${every} s; ${rounds} rounds of a ${rows}-row delete`);
    for (let round = 1; round <= rounds; round += 1) {
      const table = `accident_${round}`;
      await source.query(`create table ${table} (id int primary key, note text not null)`);
      await source.query(`insert into ${table} select g, 'row ' || g from generate_series(1, ${rows * 2}) g`);
      await trackTables(source, [`public.${table}`]);
      // A random phase against the schedule, as an accident has.
      await new Promise((r) => setTimeout(r, Math.random() * every * 1000));
      await source.query('begin');
      await source.query("select set_config('restorepoint.actor', 'intern@shop', true)");
      await source.query(`delete from ${table} where id <= ${rows}`);
      await source.query('commit');
      const committed = Date.now();
      const deadline = committed + (every + 60) * 1000;
      let raisedAt: number | null = null;
      let deliveredAt: number | null = null;
      while ((raisedAt === null || deliveredAt === null) && Date.now() < deadline) {
        if (raisedAt === null) {
          const row = (await catalog('alerts').where({ table_name: `public.${table}` }).first('raised_at')) as { raised_at: Date } | undefined;
          if (row) raisedAt = new Date(row.raised_at).getTime();
        }
        deliveredAt ??= received.find((r) => r.body.includes(`public.${table}`))?.at ?? null;
        await new Promise((r) => setTimeout(r, 50));
      }
      if (raisedAt === null || deliveredAt === null) throw new Error(`round ${round}: no alert within ${every + 60} s`);
      const result = { round, toCatalogSeconds: (raisedAt - committed) / 1000, toWebhookSeconds: (deliveredAt - committed) / 1000 };
      results.push(result);
      log(`round ${round}: alert in the catalog after ${result.toCatalogSeconds.toFixed(2)} s, at the webhook after ${result.toWebhookSeconds.toFixed(2)} s`);
    }
    const falseAlerts = Number(((await catalog('alerts').whereNot('table_name', 'like', 'public.accident_%').count({ n: '*' })) as { n: string }[])[0]!.n);
    const summary = {
      takenAt: new Date().toISOString(),
      machine: describeMachine((await source.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v),
      loadAverage: os.loadavg()[0],
      options: { everySeconds: every, rounds, rows },
      rounds: results,
      medianToCatalogSeconds: median(results.map((r) => r.toCatalogSeconds)),
      medianToWebhookSeconds: median(results.map((r) => r.toWebhookSeconds)),
      worstToWebhookSeconds: Math.max(...results.map((r) => r.toWebhookSeconds)),
      falseAlerts,
    };
    const resultsDir = path.resolve(__dirname, 'results');
    fs.mkdirSync(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `time-to-detect-${summary.takenAt.replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z')}.json`);
    fs.writeFileSync(file, `${JSON.stringify(summary, null, 1)}\n`);
    console.log(
      `time to detect a ${rows}-row delete, watch every ${every} s, ${rounds} rounds (load ${summary.loadAverage.toFixed(2)}):\n` +
        `  to the catalog: median ${summary.medianToCatalogSeconds.toFixed(2)} s\n` +
        `  to the webhook: median ${summary.medianToWebhookSeconds.toFixed(2)} s, worst ${summary.worstToWebhookSeconds.toFixed(2)} s\n` +
        `  alerts on the steady table: ${falseAlerts}\n  raw figures: ${path.relative(process.cwd(), file)}`,
    );
  } finally {
    writing = false;
    await steady.catch(() => undefined);
    await deleteSchedule(client, scheduleId).catch(() => undefined);
    await client.close().catch(() => undefined);
    await worker.stop();
    await steadyClient.end().catch(() => undefined);
    await source.end().catch(() => undefined);
    await catalog.destroy();
    server.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[time-to-detect] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
