import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { connectClient, type RestorepointClient } from '../../client/connect';
import { startExport } from '../../client/exports';
import type { RollbackHandle } from '../../client/rollbacks';
import type { RollbackStage, RollbackStatus } from '../../core/rollback/rollback-state';
import { createWorker, type RunningWorker } from '../../worker/create-worker';
import { startTestWorld, type TestWorld } from '../support/temporal';

/** Who may approve in these tests; `alice` asks. */
export const APPROVERS = ['bob', 'carol'];

export interface RollbackWorld {
  readonly world: TestWorld;
  readonly client: RestorepointClient;
  readonly folder: string;
  /** Exports source `app` to a folder (a full export unless asked for a delta) and returns the export id. */
  exportApp(mode?: 'full' | 'incremental'): Promise<string>;
  close(): Promise<void>;
}

/** Temporal, a catalog, a worker whose approval policy names bob and carol, and source `app`. */
export async function startRollbackWorld(appUrl: string, approval: Partial<{ approversRequired: number; timeoutSeconds: number }> = {}): Promise<RollbackWorld> {
  const world = await startTestWorld({ app: appUrl });
  const config = { ...world.config, approval: { approversRequired: 1, approvers: APPROVERS, requesterMayApprove: false, timeoutSeconds: 3600, ...approval } };
  const worker: RunningWorker = await createWorker(config, world.env.nativeConnection);
  const client = await connectClient(world.config);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-rollback-'));
  return {
    world,
    client,
    folder,
    async exportApp(mode = 'full') {
      const handle = await startExport(client, { source: 'app', destination: `file://${folder}`, requestedBy: 'test', mode });
      await handle.result();
      return handle.exportId;
    },
    async close() {
      await client.close();
      worker.worker.shutdown();
      await worker.finished.catch(() => undefined);
      await world.close();
      fs.rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Polls the status query until the rollback reaches `stage` (or ends elsewhere, which fails). */
export async function waitForStage(handle: RollbackHandle, stage: RollbackStage): Promise<RollbackStatus> {
  for (;;) {
    const status = await handle.status().catch(() => undefined);
    if (status?.stage === stage) return status;
    if (status && ['done', 'rejected', 'cancelled', 'compensated', 'failed'].includes(status.stage)) {
      throw new Error(`rollback ended ${status.stage} (${status.outcome}) while waiting for ${stage}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Polls until the rollback waits for a decision or has ended: a refusal test then fails instead of waiting forever for a result. */
export async function waitForDecisionOrEnd(handle: RollbackHandle): Promise<RollbackStatus> {
  for (;;) {
    const status = await handle.status().catch(() => undefined);
    if (status && ['awaiting-approval', 'done', 'rejected', 'cancelled', 'compensated', 'failed'].includes(status.stage)) return status;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function sql(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}
