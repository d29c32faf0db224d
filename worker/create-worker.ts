import { NativeConnection, Worker } from '@temporalio/worker';
import type { Config } from '../config/schema';
import { openCatalog, migrateCatalog } from '../catalog/catalog-db';
import { createActivities } from '../activities';
import { openStore } from '../storage/open-store';
import { dataConverterFor } from '../identity/data-converter';
import { temporalTransport } from '../identity/temporal-transport';
import { createLogger, type Logger } from '../observability/log';
import type { RestorepointMetrics } from '../observability/metrics';
import { scrapeGauges } from '../observability/scrape-gauges';
import { ensureSearchAttributes } from '../stack/search-attributes';
import { ActivityOutcomeLog } from './activity-log';
import { ActivityMetrics } from './activity-metrics';
import { buildWorkflowBundle } from './workflow-bundle';

export interface RunningWorker {
  readonly worker: Worker;
  /** Resolves when the worker has stopped and its resources are closed. */
  readonly finished: Promise<void>;
  /** Sets the scrape-time gauges (last good export, trail) of `metrics`; a no-op without them. */
  readonly scrape: () => Promise<void>;
}

export interface WorkerObservability {
  /** Where the activity outcome log goes; a JSON log on stdout at the config's level by default. */
  readonly log?: Logger;
  /** Recorded into when given (worker/main.ts serves them on /metrics). */
  readonly metrics?: RestorepointMetrics;
}

/**
 * Builds a worker with real dependencies: the catalog (migrated), object stores from
 * config, and every workflow and activity. `connection` lets tests pass their own. The
 * workflow bundle is built in a child process so that webpack's heap never lives here.
 */
export async function createWorker(config: Config, connection?: NativeConnection, observability: WorkerObservability = {}): Promise<RunningWorker> {
  const log = observability.log ?? createLogger({ level: config.logLevel, name: 'restorepoint-worker' });
  const ownConnection = connection ? undefined : await NativeConnection.connect(temporalTransport(config.temporal));
  // Workflows set them as they move; a namespace without them would fail those workflow tasks.
  const added = await ensureSearchAttributes((connection ?? ownConnection)!.operatorService, config.temporal.namespace);
  if (added.length > 0) log.info({ namespace: config.temporal.namespace, added }, 'search attributes registered');
  const catalog = openCatalog(config.catalog.url);
  await migrateCatalog(catalog);
  const metrics = observability.metrics;
  const dataConverter = dataConverterFor(config.identity?.payloadKeyFile);
  const worker = await Worker.create({
    connection: connection ?? ownConnection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    // The same key as clients: histories hold only ciphertext, so exporting one hands out no token.
    // Workflow code converts its failures inside the bundle, so the bundle takes the same converter.
    dataConverter,
    workflowBundle: await buildWorkflowBundle({ failureConverterPath: dataConverter.failureConverterPath }),
    activities: createActivities({ config, catalog, openStore: (destination) => openStore(destination, config.gcs), clock: () => new Date() }),
    interceptors: {
      activity: [
        () => ({ inbound: new ActivityOutcomeLog(log) }),
        ...(metrics ? [() => ({ inbound: new ActivityMetrics(metrics, catalog, log) })] : []),
      ],
    },
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    shutdownGraceTime: `${config.worker.shutdownGraceSeconds} seconds`,
    // Progress travels in heartbeat details (never in history): send them every few seconds, not at 80% of the heartbeat timeout.
    maxHeartbeatThrottleInterval: '2 seconds',
  });
  const finished = worker.run().finally(async () => {
    const { releaseAllSnapshots } = await import('../activities/export/snapshot-registry');
    await releaseAllSnapshots();
    await catalog.destroy();
    await ownConnection?.close();
  });
  const scrape = metrics ? scrapeGauges(metrics, catalog, config.sources, log) : async () => undefined;
  return { worker, finished, scrape };
}
