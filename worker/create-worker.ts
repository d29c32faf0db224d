import { NativeConnection, Worker } from '@temporalio/worker';
import type { Config } from '../config/schema';
import { openCatalog, migrateCatalog } from '../catalog/catalog-db';
import { createActivities } from '../activities';
import { openStore } from '../storage/open-store';
import { payloadCodecs } from '../identity/payload-codec';
import { temporalTransport } from '../identity/temporal-transport';
import { ActivityOutcomeLog } from './activity-log';

export interface RunningWorker {
  readonly worker: Worker;
  /** Resolves when the worker has stopped and its resources are closed. */
  readonly finished: Promise<void>;
}

/**
 * Builds a worker with real dependencies: the catalog (migrated), object stores from
 * config, and every workflow and activity. `connection` lets tests pass their own.
 */
export async function createWorker(config: Config, connection?: NativeConnection): Promise<RunningWorker> {
  const ownConnection = connection ? undefined : await NativeConnection.connect(temporalTransport(config.temporal));
  const catalog = openCatalog(config.catalog.url);
  await migrateCatalog(catalog);
  const worker = await Worker.create({
    connection: connection ?? ownConnection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    // The same key as clients: histories hold only ciphertext, so exporting one hands out no token.
    dataConverter: { payloadCodecs: payloadCodecs(config.identity?.payloadKeyFile) },
    activities: createActivities({ config, catalog, openStore: (destination) => openStore(destination, config.gcs), clock: () => new Date() }),
    interceptors: { activity: [() => ({ inbound: new ActivityOutcomeLog(config.logLevel) })] },
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    shutdownGraceTime: `${config.worker.shutdownGraceSeconds} seconds`,
  });
  const finished = worker.run().finally(async () => {
    const { releaseAllSnapshots } = await import('../activities/export/snapshot-registry');
    await releaseAllSnapshots();
    await catalog.destroy();
    await ownConnection?.close();
  });
  return { worker, finished };
}
