import type { RolesByResource } from './permissions';

/** What a restorepoint schedule starts (client/schedules.ts). */
export type ServiceKind = 'retention' | 'export' | 'verify' | 'detect';

/**
 * The roles a schedule's service identity holds: exactly what its runs need. A scheduled
 * export exports its one source (exporter there); a scheduled verification verifies every
 * source's exports (verifier on `*`); scheduled retention runs retention over everything
 * (retention-runner on `*`); the alert watch watches its one source, or all (alert-watcher).
 * None of them may approve, restore, hold or schedule.
 */
export function serviceRolesFor(kind: ServiceKind, resource: string): RolesByResource {
  if (kind === 'export') return { [resource]: ['exporter'] };
  if (kind === 'verify') return { '*': ['verifier'] };
  if (kind === 'detect') return { [resource]: ['alert-watcher'] };
  return { '*': ['retention-runner'] };
}
