import { decodePayload } from './decode-payload';
import type { WorkflowHandle } from '@temporalio/client';
import type { RestorepointClient } from './connect';

/**
 * The last heartbeat details of each activity the workflow has pending. Activities report
 * progress there rather than by signal, so a workflow's history does not grow with time;
 * they are at most a few seconds old (the worker's heartbeat throttle).
 */
export async function pendingHeartbeatDetails(client: RestorepointClient, handle: WorkflowHandle): Promise<readonly unknown[]> {
  const described = await handle.describe().catch(() => undefined);
  const payloads = (described?.raw.pendingActivities ?? []).flatMap((pending) => pending.heartbeatDetails?.payloads?.slice(0, 1) ?? []);
  return Promise.all(payloads.map((payload) => decodePayload<unknown>(client, payload)));
}
