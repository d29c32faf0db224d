/**
 * Roles and the permissions each holds. Pure: the config schema, the worker's `authorize`
 * activity and the docs all read this one table.
 */

export const PERMISSIONS = [
  'export',
  'restore',
  'rollback.start',
  'rollback.approve',
  'rollback.reject',
  'rollback.undo',
  'rollback.revert',
  /** Withdraw one's own rollback while it awaits approval: the worker also requires the verified caller to be its requester. */
  'rollback.withdraw',
  'verify',
  'retention.plan',
  'retention.run',
  'hold.add',
  'hold.remove',
  'trail.track',
  'trail.untrack',
  'trail.prune',
  'schedule.create',
  'schedule.delete',
  'ledger.read',
  'catalog.read',
  /** Read row values in workflow payloads through the codec endpoint (identity/codec-server.ts). */
  'payloads.decode',
  'alert.watch',
  'alert.ack',
  /** Crypto-shredding an export (destroying its data key): admin only. */
  'export.shred',
  /** Rotating the key-encryption key and re-wrapping every export's data key: admin only. */
  'keys.rotate',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['viewer', 'exporter', 'restorer', 'approver', 'admin', 'verifier', 'retention-runner', 'alert-watcher'] as const;
export type Role = (typeof ROLES)[number];

const READ: readonly Permission[] = ['ledger.read', 'catalog.read', 'retention.plan'];

/**
 * What each role may do on the resource it is granted for (a source, or a restore target
 * for `restore`). Approving is a role of its own: the people who start rollbacks are not
 * the ones who approve them, unless config grants both.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: READ,
  exporter: [...READ, 'export', 'verify'],
  restorer: [...READ, 'restore', 'rollback.start', 'rollback.undo', 'rollback.revert', 'rollback.withdraw', 'verify', 'alert.ack'],
  approver: [...READ, 'rollback.approve', 'rollback.reject', 'payloads.decode', 'alert.ack'],
  admin: PERMISSIONS,
  // Service roles: what a schedule's runs need and nothing more (identity/service-roles.ts).
  verifier: [...READ, 'verify'],
  'retention-runner': [...READ, 'retention.run'],
  'alert-watcher': [...READ, 'alert.watch'],
};

/** A resource every source's grants cover: `*` in a grant means every source and target. */
export const ANY_RESOURCE = '*';

/** Roles held, per resource name (`*` for all), as a verified identity carries them. */
export type RolesByResource = Readonly<Record<string, readonly Role[]>>;

/** The roles that apply to `resource`: those granted for it and those granted for every resource. */
export function rolesOn(roles: RolesByResource, resource: string): readonly Role[] {
  return [...new Set([...(roles[ANY_RESOURCE] ?? []), ...(resource === ANY_RESOURCE ? [] : (roles[resource] ?? []))])];
}

/** Whether any role held on `resource` includes `permission`. */
export function permits(roles: RolesByResource, permission: Permission, resource: string): boolean {
  return rolesOn(roles, resource).some((role) => ROLE_PERMISSIONS[role].includes(permission));
}
