import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ScheduleOutcome, ScheduleRequest } from '../client/schedules';
import { shortActivity } from './activity-profiles';
import { authorizeStart, type StartAuth } from './authorize-step';

const steps = proxyActivities<Activities>(shortActivity);

/**
 * Creates or updates a Temporal Schedule for a verified caller holding `schedule.create` on
 * what it acts on (an export schedule's source; `*` for verification and retention). The
 * activity issues the runs' least-privilege service token and writes `schedule.created`.
 */
export async function saveScheduleWorkflow(request: ScheduleRequest, auth?: StartAuth): Promise<ScheduleOutcome> {
  if (typeof request?.scheduleId !== 'string' || request.scheduleId === '') throw ApplicationFailure.nonRetryable('a schedule needs an id', 'INPUT_INVALID');
  const caller = await authorizeStart(auth, { permission: 'schedule.create', resource: request.resource ?? '*', subject: `schedule:${request.scheduleId}` }, 'authorize-v1');
  return steps.saveSchedule({ schedule: request, by: caller.subject });
}

/** Deletes a restorepoint schedule for a verified caller holding `schedule.delete` on what it acts on; false when there was none. */
export async function deleteScheduleWorkflow(request: { readonly scheduleId: string }, auth?: StartAuth): Promise<boolean> {
  if (typeof request?.scheduleId !== 'string' || request.scheduleId === '') throw ApplicationFailure.nonRetryable('which schedule? an id is needed', 'INPUT_INVALID');
  const resource = await steps.resourceOfSchedule(request.scheduleId);
  const caller = await authorizeStart(auth, { permission: 'schedule.delete', resource, subject: `schedule:${request.scheduleId}` }, 'authorize-v1');
  return steps.removeSchedule({ scheduleId: request.scheduleId, by: caller.subject });
}
