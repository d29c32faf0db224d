import type { WorkflowHandle } from '@temporalio/client';
import type { RestorepointClient } from './connect';

/**
 * The last heartbeat details of each activity the workflow has pending. Activities report
 * progress there rather than by signal, so a workflow's history does not grow with time;
 * they are at most a few seconds old (the worker's heartbeat throttle).
 */
export async function pendingHeartbeatDetails(client: RestorepointClient, handle: WorkflowHandle): Promise<readonly unknown[]> {
  const described = await handle.describe().catch(() => undefined);
  const converter = client.temporal.options.loadedDataConverter.payloadConverter;
  return (described?.raw.pendingActivities ?? []).flatMap((pending) => {
    const payload = pending.heartbeatDetails?.payloads?.[0];
    return payload ? [converter.fromPayload<unknown>(payload)] : [];
  });
}
