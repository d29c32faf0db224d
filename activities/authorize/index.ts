import { Context } from '@temporalio/activity';
import { appendLedger } from '../../catalog/ledger';
import { isRestorepointError } from '../../core/errors';
import type { RollbackPreview } from '../../core/rollback/rollback-preview';
import { machineIdentity } from '../../identity/machine';
import { ANY_RESOURCE, permits, rolesOn } from '../../identity/permissions';
import { previewDigest } from '../../identity/preview-digest';
import type { AuthorizeRequest, AuthorizeResult, DelegationRequest, Principal } from '../../identity/principal';
import { verifyToken } from '../../identity/verify-token';
import type { ActivityDeps } from '../deps';
import { bindToken } from './bind-token';

/**
 * The worker's one authorization point. Workflows call `authorize` before they act on a
 * request, signal or update: it verifies the caller's token, checks the permission on the
 * resource, binds single-use tokens, and writes the decision to the ledger with the verified
 * subject, roles, method, token id and this worker's host and build. A refusal is returned
 * as a value (the workflow decides whether it fails or only refuses a signal).
 */
export function createAuthorizeActivities(deps: ActivityDeps) {
  return {
    async authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
      const machine = machineIdentity();
      const about = { permission: request.permission, resource: request.resource, claimedName: request.claimedName ?? null, machine };
      const deny = async (code: 'AUTH_INVALID' | 'PERMISSION_DENIED', reason: string, principal: Principal | null): Promise<AuthorizeResult> => {
        await appendLedger(deps.catalog, {
          actor: principal?.subject ?? 'unverified',
          action: 'auth.denied',
          subject: request.subject,
          outcome: 'refused',
          details: { ...about, code, reason, ...(principal ? identityDetails(principal, request.resource) : { method: 'none' }) },
        });
        return { granted: false, code, reason, subject: principal?.subject ?? null, machine };
      };

      const grant = async (principal: Principal, extra: Record<string, unknown> = {}): Promise<AuthorizeResult> => {
        await appendLedger(deps.catalog, {
          actor: principal.subject,
          action: 'auth.granted',
          subject: request.subject,
          outcome: 'ok',
          details: { ...about, ...identityDetails(principal, request.resource), ...extra },
        });
        return { granted: true, principal, machine };
      };

      if (request.viaParent) {
        const delegated = await delegationFor(deps, Context.current().info.workflowExecution?.workflowId ?? '');
        if (!delegated) return deny('AUTH_INVALID', 'no authorized parent workflow started this one on a verified caller\'s behalf', null);
        // A delegation on `*` (a scheduled verification over every export) covers whichever source the child acts on.
        if (delegated.permission !== request.permission || (delegated.resource !== request.resource && delegated.resource !== ANY_RESOURCE)) {
          return deny('PERMISSION_DENIED', `the parent workflow delegated ${delegated.permission} on ${delegated.resource}, not ${request.permission} on ${request.resource}`, delegated.principal);
        }
        // The parent was authorized for the action this child is part of: its caller's roles need not include it.
        return grant(delegated.principal, { parentWorkflowId: delegated.parentWorkflowId });
      }

      let principal: Principal;
      try {
        principal = await verifyToken(deps.config.identity, request.credential?.token);
      } catch (error) {
        if (isRestorepointError(error) && error.code === 'AUTH_INVALID') return deny('AUTH_INVALID', error.message, null);
        throw error;
      }
      if (request.claimedName && request.claimedName !== principal.subject) {
        return deny('PERMISSION_DENIED', `the caller claims to be ${request.claimedName} but the token proves ${principal.subject}`, principal);
      }
      if (!permits(principal.roles, request.permission, request.resource)) {
        return deny('PERMISSION_DENIED', `${principal.subject} holds no role permitting ${request.permission} on ${request.resource}`, principal);
      }
      if (request.bindTokenTo) {
        if (!principal.tokenId) return deny('AUTH_INVALID', `a token without an id (jti) cannot be used for ${request.bindTokenTo.purpose}`, principal);
        const bound = await bindToken(deps.catalog, { tokenId: principal.tokenId, purpose: request.bindTokenTo.purpose, object: request.bindTokenTo.object, subject: principal.subject });
        if (bound !== request.bindTokenTo.object) {
          return deny('PERMISSION_DENIED', `this token was already used for ${request.bindTokenTo.purpose} on ${bound}: replay onto ${request.bindTokenTo.object} refused`, principal);
        }
      }
      return grant(principal);
    },

    /**
     * Lets a child workflow act for this workflow's verified caller. Only workflows schedule
     * activities, so a client cannot write a delegation; the child finds it by its own id.
     */
    async delegate(request: DelegationRequest): Promise<void> {
      const parent = Context.current().info.workflowExecution?.workflowId ?? '';
      const principal: Principal = { ...request.principal, method: 'parent-workflow' };
      await deps.catalog('workflow_delegations')
        .insert({ workflow_id: request.childWorkflowId, parent_workflow_id: parent, principal: JSON.stringify(principal), permission: request.permission, resource: request.resource })
        .onConflict('workflow_id')
        .ignore();
    },

    /**
     * The source an export was taken from: the resource verify and legal holds are authorized
     * on. An unknown export answers `*`, so only a caller allowed on every source learns, from
     * the next step, that it does not exist.
     */
    async sourceOfExport(exportId: string): Promise<string> {
      const row = (await deps.catalog('exports').where({ id: exportId }).first('source')) as { source: string } | undefined;
      return row?.source ?? ANY_RESOURCE;
    },

    /** The digest of a preview, as approvals name it (identity/preview-digest.ts). */
    async previewDigest(preview: RollbackPreview): Promise<string> {
      return previewDigest(preview);
    },
  };
}

/** What the ledger records about a verified caller: never the token. */
function identityDetails(principal: Principal, resource: string) {
  return { method: principal.method, issuer: principal.issuer, tokenId: principal.tokenId, roles: rolesOn(principal.roles, resource), tokenExpiresAt: principal.expiresAt };
}

interface Delegation {
  readonly principal: Principal;
  readonly permission: string;
  readonly resource: string;
  readonly parentWorkflowId: string;
}

async function delegationFor(deps: ActivityDeps, workflowId: string): Promise<Delegation | null> {
  const row = (await deps.catalog('workflow_delegations').where({ workflow_id: workflowId }).first('principal', 'permission', 'resource', 'parent_workflow_id')) as
    | { principal: Principal; permission: string; resource: string; parent_workflow_id: string }
    | undefined;
  return row ? { principal: row.principal, permission: row.permission, resource: row.resource, parentWorkflowId: row.parent_workflow_id } : null;
}
