import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Permission } from '../identity/permissions';
import type { AuthorizeRequest, CallerCredential, Principal } from '../identity/principal';
import { shortActivity } from './activity-profiles';
import { ifAuthorizePatched, type AuthorizePatch } from './authorize-patch';

export type { AuthorizePatch } from './authorize-patch';

const steps = proxyActivities<Activities>(shortActivity);

/**
 * What a client passes as a workflow's second argument: the caller's credential. It is kept
 * apart from the input so the input (shown in status, recorded in the catalog) never holds it.
 */
export interface StartAuth {
  readonly credential?: CallerCredential;
}

/** How the `authorize` activity is called: scheduled by default, or a workflow's local proxy (workflows/short-steps.ts). */
export type AuthorizeVia = Pick<Activities, 'authorize'>;

/**
 * Authorizes the caller who started this workflow for `permission` on `resource`, or fails the
 * workflow with AUTH_INVALID / PERMISSION_DENIED before it acts (the activity has written the
 * ledger entry). A child workflow acts for the caller its parent delegated to it. `via` changes
 * only how the activity runs, never the decision or the patch it is guarded by.
 */
export async function authorizeStart(
  auth: StartAuth | undefined,
  request: Omit<AuthorizeRequest, 'credential' | 'viaParent'>,
  patch: AuthorizePatch = 'authorize-v1',
  via: AuthorizeVia = steps,
): Promise<Principal> {
  // A run started before identities existed replays without the step (docs/observability.md, versioning):
  // it was accepted unverified then, and it is named so, never as anyone in particular.
  return ifAuthorizePatched(
    patch,
    async () => {
      const viaParent = workflowInfo().parent !== undefined && !auth?.credential?.token;
      const result = await via.authorize({ ...request, credential: auth?.credential ?? null, viaParent });
      if (!result.granted) throw ApplicationFailure.nonRetryable(`${result.code}: ${result.reason}; nothing was done`, result.code);
      return result.principal;
    },
    UNVERIFIED_LEGACY_CALLER,
  );
}

/**
 * Authorizes the caller for `permission` on the source `exportId` was taken from (verify,
 * legal holds): an export unknown to the catalog needs the permission on every source.
 */
export async function authorizeOnExport(auth: StartAuth | undefined, permission: Permission, exportId: string, patch: AuthorizePatch): Promise<Principal> {
  return ifAuthorizePatched(patch, async () => authorizeStart(auth, { permission, resource: await steps.sourceOfExport(exportId), subject: exportId }, patch), UNVERIFIED_LEGACY_CALLER);
}

const UNVERIFIED_LEGACY_CALLER: Principal = {
  subject: 'unverified (started before identities)',
  issuer: 'none',
  method: 'parent-workflow',
  tokenId: null,
  roles: {},
  expiresAt: null,
};

/** Lets the child workflow `childWorkflowId` take one action, `permission` on `resource`, for `principal` (see `authorizeStart`). */
export async function delegateTo(childWorkflowId: string, principal: Principal, permission: Permission, resource: string): Promise<void> {
  await steps.delegate({ childWorkflowId, principal, permission, resource });
}
