import { randomUUID } from 'node:crypto';
import type { HealthCheckRequest, HealthCheckResult } from '../core/health-check';
import type { RestorepointClient } from './connect';

/** Runs `healthCheckWorkflow` and waits for it: a worker, the catalog and the store all answer. */
export async function runHealthCheck(client: RestorepointClient, request: HealthCheckRequest): Promise<HealthCheckResult> {
  return client.temporal.workflow.execute('healthCheckWorkflow', {
    taskQueue: client.taskQueue,
    workflowId: `health-${randomUUID()}`,
    args: [request],
    // No worker polling the queue would otherwise wait forever.
    workflowExecutionTimeout: '2 minutes',
  });
}
