import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { shortActivity, shortLocalActivity } from './activity-profiles';

/**
 * The patches that moved a workflow type's short catalog and ledger steps (authorize, begin,
 * finish, ledger entries) from activity tasks to local activities: `export-short-steps-local`,
 * `restore-short-steps-local`. The ids are recorded in running workflows' histories: never rename them.
 */
export type ShortStepsPatch = 'export-short-steps-local' | 'restore-short-steps-local';

const scheduled = proxyActivities<Activities>(shortActivity);
const local = proxyLocalActivities<Activities>(shortLocalActivity);

/**
 * The proxy a run calls its short steps through. A step of a few milliseconds cost some 35 ms
 * as an activity task (schedule, poll, complete, then a workflow task to go on: docs/performance.md);
 * a local activity runs in the worker that runs the workflow task, its result recorded as a
 * marker. Call it once per run, at the same point of the command sequence, before the first
 * step: a run started before the patch replays with its scheduled activities to the end.
 */
export function shortSteps(patch: ShortStepsPatch): Activities {
  return patched(patch) ? local : scheduled;
}
