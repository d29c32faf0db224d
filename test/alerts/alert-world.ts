import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { openCatalog } from '../../catalog/catalog-db';
import { connectClient, type RestorepointClient } from '../../client/connect';
import { alertsSchema, type Config } from '../../config/schema';
import { createMetrics, type RestorepointMetrics } from '../../observability/metrics';
import { createWorker } from '../../worker/create-worker';
import { startTestWorld, type TestWorld } from '../support/temporal';

/** One POST the test's webhook received. */
export interface Delivery {
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly status: number;
}

export interface AlertWorld {
  readonly world: TestWorld;
  readonly config: Config;
  readonly client: RestorepointClient;
  readonly catalog: Knex;
  readonly metrics: RestorepointMetrics;
  /** Every POST, accepted or refused, in order of arrival. */
  readonly deliveries: Delivery[];
  readonly secret: string;
  close(): Promise<void>;
}

/**
 * A test world (Temporal dev server, catalog, worker) whose config has `alerts` set as given and
 * its webhook pointing at a local HTTP server of the test. The server answers each POST with the
 * next status of `statuses` (then 200), so a test can refuse the first delivery to see it retried.
 */
export async function startAlertWorld(
  sources: Record<string, string>,
  options: { readonly alerts?: Record<string, unknown>; readonly statuses?: readonly number[]; readonly rpoTargetSeconds?: Record<string, number> } = {},
): Promise<AlertWorld> {
  const deliveries: Delivery[] = [];
  const statuses = [...(options.statuses ?? [])];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      deliveries.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-alerts-'));
  const secret = `whsec-${Math.random().toString(36).slice(2)}`;
  const secretFile = path.join(dir, 'webhook-secret');
  fs.writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
  const world = await startTestWorld(sources);
  const config: Config = {
    ...world.config,
    sources: Object.fromEntries(Object.entries(world.config.sources).map(([name, s]) => [name, { ...s, rpoTargetSeconds: options.rpoTargetSeconds?.[name] }])),
    alerts: alertsSchema.parse({ webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, webhookSecretFile: secretFile, ...options.alerts }),
  };
  const metrics = createMetrics();
  const running = await createWorker(config, world.env.nativeConnection, { metrics });
  const client = await connectClient(config);
  const catalog = openCatalog(config.catalog.url);
  return {
    world,
    config,
    client,
    catalog,
    metrics,
    deliveries,
    secret,
    async close() {
      await client.close();
      await catalog.destroy();
      running.worker.shutdown();
      await running.finished.catch(() => undefined);
      await world.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
