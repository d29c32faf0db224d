import { Context } from '@temporalio/activity';
import { appendLedger, findLedgerEntry } from '../../catalog/ledger';
import { connectClient, type RestorepointClient } from '../../client/connect';
import { deleteSchedule, scheduleResource, upsertSchedule, type ScheduleOutcome, type ScheduleRequest } from '../../client/schedules';
import type { ActivityDeps } from '../deps';

/**
 * Temporal Schedules, created and deleted by the worker for a caller the workflow has
 * authorized. The worker, not the caller, issues the schedule's service token, so a person
 * allowed to schedule never needs the issuer's key. Both are idempotent: saving again
 * updates the same schedule, deleting a deleted one finds none.
 */
export function createScheduleActivities(deps: ActivityDeps) {
  const withTemporal = async <T>(work: (client: RestorepointClient) => Promise<T>): Promise<T> => {
    // No caller token: this client only manages schedules, whose runs carry the service credential.
    const client = await connectClient(deps.config, { tokens: async () => undefined });
    try {
      return await work(client);
    } finally {
      await client.close();
    }
  };
  return {
    /** The resource a schedule acts on (`*` when unknown or gone): what deleting it is authorized on. */
    async resourceOfSchedule(scheduleId: string): Promise<string> {
      return (await withTemporal((client) => scheduleResource(client, scheduleId))) ?? '*';
    },

    async saveSchedule(request: { readonly schedule: ScheduleRequest; readonly by: string }): Promise<ScheduleOutcome> {
      const outcome = await withTemporal((client) => upsertSchedule(client, request.schedule));
      const s = request.schedule;
      await appendLedger(deps.catalog, {
        actor: request.by,
        action: outcome.created ? 'schedule.created' : 'schedule.updated',
        subject: `schedule:${s.scheduleId}`,
        outcome: 'ok',
        details: { kind: s.kind, workflowType: s.workflowType, resource: s.resource ?? '*', description: s.description, serviceIdentity: outcome.service },
      });
      return outcome;
    },

    /**
     * The schedule is deleted in Temporal, outside the catalog, so no transaction can tie it to
     * its entry. The intent (`schedule.delete-requested`) is written first instead: an attempt
     * that deleted the schedule and died before `schedule.deleted` leaves it behind, and the
     * next attempt, finding the schedule gone, knows it was this request's doing and writes
     * the entry. Both are written once per request (its workflow id), however many attempts.
     */
    async removeSchedule(request: { readonly scheduleId: string; readonly by: string }): Promise<boolean> {
      const entry = { actor: request.by, subject: `schedule:${request.scheduleId}`, outcome: 'ok', details: { request: Context.current().info.workflowExecution?.workflowId ?? '-' } };
      const intent = { ...entry, action: 'schedule.delete-requested' };
      const deleted = await withTemporal((client) => deleteSchedule(client, request.scheduleId, { beforeDelete: () => appendLedger(deps.catalog, intent, { once: true }) }));
      if (!deleted && !(await findLedgerEntry(deps.catalog, intent))) return false;
      await appendLedger(deps.catalog, { ...entry, action: 'schedule.deleted' }, { once: true });
      return true;
    },
  };
}
