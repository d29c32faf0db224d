import type { Permission, RolesByResource } from './permissions';

/**
 * A verified caller: who the token proves, with the roles config and claims give them. Never
 * holds the token itself, so it may travel through workflow history and into the ledger.
 */
export interface Principal {
  readonly subject: string;
  readonly issuer: string;
  /** `oidc-jwt` for a bearer token; `parent-workflow` for a child workflow started by an authorized one. */
  readonly method: 'oidc-jwt' | 'parent-workflow';
  /** The token's `jti`, or null when it has none (or the method carries no token). */
  readonly tokenId: string | null;
  readonly roles: RolesByResource;
  readonly expiresAt: string | null;
}

/** The worker that judged: host name and build, recorded beside every decision. */
export interface MachineIdentity {
  readonly host: string;
  readonly build: string;
}

/**
 * What travels beside a workflow's input or inside a signal: the caller's bearer token
 * (encrypted in history by the payload codec, see docs/security.md). Never logged.
 */
export interface CallerCredential {
  readonly token?: string;
}

/** What the worker asks the `authorize` activity. */
export interface AuthorizeRequest {
  readonly credential?: CallerCredential | null;
  readonly permission: Permission;
  /**
   * A child workflow's request: no token, the caller is the one its parent delegated to it
   * (`delegate`), looked up by the workflow id Temporal gives the activity, which no client sets.
   */
  readonly viaParent?: boolean;
  /** The source (or restore target) acted on; `*` for actions over everything (retention). */
  readonly resource: string;
  /** The ledger subject the decision is about: an export id, a rollback id, a source. */
  readonly subject: string;
  /** The name the caller typed (`--as`, `requestedBy`): refused when it is not the verified subject. */
  readonly claimedName?: string | null;
  /**
   * Binds the token's id to one object on first use (an approval to its rollback): the same
   * token naming another object is refused as a replay.
   */
  readonly bindTokenTo?: { readonly purpose: string; readonly object: string } | null;
}

export type AuthorizeResult =
  | { readonly granted: true; readonly principal: Principal; readonly machine: MachineIdentity }
  | { readonly granted: false; readonly code: 'AUTH_INVALID' | 'PERMISSION_DENIED'; readonly reason: string; readonly subject: string | null; readonly machine: MachineIdentity };

/** What a parent workflow records for a child it starts on its verified caller's behalf. */
export interface DelegationRequest {
  readonly childWorkflowId: string;
  readonly principal: Principal;
  /** The one action the child may take (part of what the parent was authorized for). */
  readonly permission: Permission;
  readonly resource: string;
}
