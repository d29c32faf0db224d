import { patched } from '@temporalio/workflow';

/**
 * The patch guarding a workflow type's authorization step: `authorize-v1` for those authorized
 * first (export, restore, rollback and its approvals, retention, prune, scheduled export, holds,
 * track, schedules), `authorize-v2` for verify, scheduled verification and reconstruct, which
 * gained the step later. The ids are recorded in running workflows' histories: never rename them.
 */
export type AuthorizePatch = 'authorize-v1' | 'authorize-v2';

/**
 * Runs `step` in a run that has the authorization step (started once it existed, or replaying a
 * history that recorded the patch marker), and returns `legacy` in one started before it. Every
 * authorization-guarded command goes through here, so each checks its patch at the same point
 * of its command sequence as before (docs/observability.md, "Changing workflows").
 */
export async function ifAuthorizePatched<T>(patch: AuthorizePatch, step: () => Promise<T>, legacy: T): Promise<T> {
  return patched(patch) ? step() : legacy;
}
