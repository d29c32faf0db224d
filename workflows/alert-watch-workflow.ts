import { ApplicationFailure, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { alertWatchInputSchema, type AlertWatchRequest } from '../core/alerts/alert';
import { shortActivity } from './activity-profiles';
import { authorizeStart, type StartAuth } from './authorize-step';

/** Detection reads a source; one that does not answer is retried a little, then left for the next run. */
const watch = proxyActivities<Activities>({ ...shortActivity, retry: { ...shortActivity.retry, maximumAttempts: 3 } });
/** A webhook gets Temporal's retries with backoff (up to a minute apart) before the next run tries again. */
const delivery = proxyActivities<Activities>({ ...shortActivity, startToCloseTimeout: '30 seconds' });

export interface AlertWatchSummary {
  readonly raised: readonly string[];
  readonly cleared: readonly string[];
  readonly delivered: number;
  /** Sources or deliveries that failed this run; a later run tries again. */
  readonly errors: readonly { readonly source: string; readonly message: string }[];
}

/**
 * One pass of accident detection and service objectives, started by a Temporal Schedule BY THIS
 * NAME (`restorepoint schedule detect`, e.g. every 30 s): for each source, the trail's change
 * rates against their baseline, then the objectives, then every alert not yet announced goes to
 * the webhook. Only alert ids pass through here, never figures or rows.
 */
export async function alertWatchWorkflow(request: AlertWatchRequest = {}, auth?: StartAuth): Promise<AlertWatchSummary> {
  const parsed = alertWatchInputSchema.safeParse(request ?? {});
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid alert watch input: ${parsed.error.message}`, 'INPUT_INVALID');
  const named = parsed.data.sources;
  const caller = await authorizeStart(auth, { permission: 'alert.watch', resource: named?.length === 1 ? named[0]! : '*', subject: 'alerts' });
  const sources = named ?? (await watch.alertSources());
  const raised: string[] = [];
  const cleared: string[] = [];
  const errors: { source: string; message: string }[] = [];
  let delivered = 0;
  for (const source of sources) {
    try {
      const accidents = await watch.detectAccidents({ source, actor: caller.subject });
      const objectives = await watch.checkObjectives({ source, actor: caller.subject });
      raised.push(...accidents.map((a) => a.id), ...objectives.raised.map((a) => a.id));
      cleared.push(...objectives.cleared);
      for (const alertId of await watch.undeliveredAlerts({ source })) {
        try {
          if ((await delivery.deliverAlert({ alertId })) === 'delivered') delivered += 1;
        } catch (error) {
          errors.push({ source, message: messageOf(error) });
        }
      }
    } catch (error) {
      log.warn('alert watch could not check a source', { source, error: messageOf(error) });
      errors.push({ source, message: messageOf(error) });
    }
  }
  return { raised, cleared, delivered, errors };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
}
