import path from 'node:path';
import { connectClient, type RestorepointClient } from '../client/connect';
import { startExport } from '../client/exports';
import { issueLocalToken } from '../identity/local-issuer';
import type { BenchContext } from './bench-context';
import type { Measurement } from './measurement';
import { WorkerProcess, type WorkerCost } from './worker-process';

/**
 * Worker processes of their own on a task queue of their own, for the ranges-as-activities
 * contenders (issue 16 item 3): the benchmark's one worker never takes their activities, nor
 * they its. Started once, on first use (not timed); stopped when the run ends.
 */
export interface ScaleOut {
  readonly workers: readonly WorkerProcess[];
  readonly client: RestorepointClient;
  stop(): Promise<void>;
}

export async function startScaleOut(context: BenchContext, count: number): Promise<ScaleOut> {
  const config = { ...context.config, temporal: { ...context.config.temporal, taskQueue: `${context.config.temporal.taskQueue}-scale-out-${count}` } };
  const workers = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      WorkerProcess.start(config, { configFile: path.join(context.workDir, `scale-out-${count}-${i}.json`), logFile: path.resolve(__dirname, '..', '.restorepoint', `bench-scale-out-worker-${i}.log`) }),
    ),
  );
  const client = await connectClient(config, { tokens: async (as) => (await issueLocalToken({ subject: as ?? 'bench', roles: { '*': ['admin'] }, ttlSeconds: 3600 })).token });
  return {
    workers,
    client,
    async stop() {
      await client.close().catch(() => undefined);
      await Promise.all(workers.map((w) => w.stop()));
    },
  };
}

/** Runs `work` while measuring every worker: CPU summed, the highest peak RSS. */
async function measureAll<T>(workers: readonly WorkerProcess[], work: () => Promise<T>): Promise<{ result: T; cost: WorkerCost }> {
  const costs: WorkerCost[] = [];
  const nest = async (i: number): Promise<T> => {
    if (i === workers.length) return work();
    const { result, cost } = await workers[i]!.measure(() => nest(i + 1));
    costs.push(cost);
    return result;
  };
  const result = await nest(0);
  return { result, cost: { cpuMs: costs.reduce((s, c) => s + c.cpuMs, 0), peakRssKb: Math.max(...costs.map((c) => c.peakRssKb)), startRssKb: Math.max(...costs.map((c) => c.startRssKb)) } };
}

/** One export of `table` as `ranges` range activities, shared by the scale-out's workers. */
export async function exportAcrossWorkers(scaleOut: ScaleOut, table: string, destination: string, ranges: number): Promise<Measurement> {
  const { result, cost } = await measureAll(scaleOut.workers, async () => {
    const started = performance.now();
    const handle = await startExport(scaleOut.client, { source: 'bench', tables: [table], destination, split: { minBytes: 0, ranges, acrossWorkers: true }, requestedBy: 'bench' });
    const summary = await handle.result();
    return { summary, wallMs: performance.now() - started };
  });
  return { wallMs: result.wallMs, ...cost, outputBytes: result.summary.bytes, rows: result.summary.rows };
}
