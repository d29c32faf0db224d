import { TestWorkflowEnvironment } from '@temporalio/testing';
import { configSchema, type Config } from '../../config/schema';
import { migrateCatalog, openCatalog } from '../../catalog/catalog-db';
import { ensureSearchAttributes } from '../../stack/search-attributes';
import { temporalCli } from '../../stack/tools';
import { localIdentityConfig } from '../../identity/local-issuer';
import { useTokenSource } from '../../identity/token-store';
import { createWorker, type RunningWorker } from '../../worker/create-worker';
import { TEST_ADMIN, testTokens, tokenFor } from './identity';
import { scratchDatabase, testStack, type ScratchDatabase } from './stack';

/**
 * A real Temporal dev server (the CLI's, from the project's tools folder), started by
 * @temporalio/testing for one test file, plus a fresh catalog database.
 */
export async function startTestTemporal(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: temporalCli() }, ip: '127.0.0.1', extraArgs: ['--log-level', 'error'] },
  });
  // Workflows set search attributes; a fresh dev server knows none, and every workflow task
  // that sets one would fail until they exist (a worker of ours registers them, a bare test worker does not).
  await ensureSearchAttributes(env.connection.operatorService, env.namespace ?? 'default');
  return env;
}

export interface TestWorld {
  readonly env: TestWorkflowEnvironment;
  readonly config: Config;
  readonly catalogDb: ScratchDatabase;
  readonly taskQueue: string;
  /** A token of the local issuer for TEST_ADMIN, admin of everything: what CLI runs of the test present. */
  readonly adminToken: string;
  /** Starts a worker with the real activities; stop it with `worker.worker.shutdown()`. */
  startWorker(): Promise<RunningWorker>;
  close(): Promise<void>;
}

/** Temporal + a catalog of its own + config whose sources are the given databases. */
export async function startTestWorld(sources: Record<string, string>, overrides: Partial<Config['export']> = {}): Promise<TestWorld> {
  const env = await startTestTemporal();
  const catalogDb = await scratchDatabase('catalog');
  const taskQueue = `test-${Math.random().toString(36).slice(2, 10)}`;
  const config = configSchema.parse({
    temporal: { address: env.address, namespace: env.namespace ?? 'default', taskQueue },
    catalog: { url: catalogDb.url },
    sources: Object.fromEntries(Object.entries(sources).map(([name, url]) => [name, { url }])),
    gcs: { emulatorHost: testStack().gcs.url },
    worker: { shutdownGraceSeconds: 1 },
    // Failures still print; a line per successful activity would bury the test report.
    logLevel: process.env.RESTOREPOINT_LOG_LEVEL ?? 'warn',
    export: { partSizeBytes: 64 * 1024 * 1024, ...overrides },
    // The local issuer: tests mint tokens with its key (test/support/identity.ts).
    identity: localIdentityConfig(),
    // A worker process started from this config serves /metrics on a free port, never a shared fixed one.
    metrics: { host: '127.0.0.1', port: 0 },
  });
  // Clients of this process present a proven token for the name each call claims.
  useTokenSource(testTokens);
  const catalog = openCatalog(config.catalog.url);
  await migrateCatalog(catalog);
  await catalog.destroy();
  const workers: RunningWorker[] = [];
  return {
    env,
    config,
    catalogDb,
    taskQueue,
    adminToken: await tokenFor(TEST_ADMIN),
    async startWorker() {
      const running = await createWorker(config, env.nativeConnection);
      workers.push(running);
      return running;
    },
    async close() {
      for (const w of workers) {
        if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
        await w.finished.catch(() => undefined);
      }
      await env.teardown();
      await catalogDb.drop();
    },
  };
}
