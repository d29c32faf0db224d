import { Runtime } from '@temporalio/worker';
import { loadConfig } from '../config/load';
import { freePort } from '../stack/processes';
import { createLogger } from '../observability/log';
import { createMetrics } from '../observability/metrics';
import { startMetricsServer } from '../observability/metrics-server';
import { PinoTemporalLogger } from '../observability/temporal-logger';
import { createWorker } from './create-worker';

const CORE_LEVEL = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' } as const;

/**
 * The worker process. Everything it logs, the Temporal SDK and Core included, is one pino
 * JSON log on stdout. `GET /metrics` on config `metrics.port` serves restorepoint's metrics
 * and the Temporal runtime's. SIGTERM/SIGINT start a graceful shutdown: no new tasks are
 * taken, running activities get `shutdownGraceSeconds` to finish, then are cancelled and
 * handed back to the server, which retries them on another worker from their last heartbeat.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel, name: 'restorepoint-worker' });
  // Core serves its Prometheus text on a loopback port; /metrics appends it to ours.
  const corePort = await freePort();
  Runtime.install({
    logger: new PinoTemporalLogger(log),
    shutdownSignals: [],
    telemetryOptions: {
      logging: { filter: { core: CORE_LEVEL[config.logLevel], other: 'ERROR' }, forward: {} },
      metrics: { prometheus: { bindAddress: `127.0.0.1:${corePort}` } },
    },
  });
  const metrics = createMetrics();
  const { worker, finished, scrape } = await createWorker(config, undefined, { log, metrics });
  // Backups matter more than their metrics: a port in use is logged, and the worker works on.
  const server = await startMetricsServer({
    host: config.metrics.host,
    port: config.metrics.port,
    registry: metrics.registry,
    beforeScrape: scrape,
    temporalMetricsUrl: `http://127.0.0.1:${corePort}/metrics`,
    log,
  }).catch((error: unknown) => {
    log.error({ err: error, host: config.metrics.host, port: config.metrics.port }, 'metrics endpoint not started');
    return undefined;
  });
  // Start and stop are written whatever the level: supervisors and tests wait for them.
  const lifecycle = log.child({}, { level: log.isLevelEnabled('info') ? log.level : 'info' });
  const stop = (signal: string) => {
    lifecycle.info({ signal }, 'shutting down');
    worker.shutdown();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  lifecycle.info(
    { taskQueue: config.temporal.taskQueue, address: config.temporal.address, catalog: config.catalog.url, sources: Object.keys(config.sources), metricsPort: server?.port ?? null },
    'worker started',
  );
  await finished;
  await server?.close();
}

main().catch((error: unknown) => {
  createLogger({ level: 'error', name: 'restorepoint-worker' }).error({ err: error }, 'worker failed');
  process.exit(1);
});
