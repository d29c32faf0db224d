import type { ExportSummary } from './export-summary';
import type { RetentionScope } from './retention-policy';

/** Why an export falls outside the policy's scope, or null when the policy governs it. */
export function outOfScope(e: ExportSummary, scope: RetentionScope): string | null {
  const miss = (what: string, value: string | undefined, allowed: readonly string[] | undefined): string | null =>
    allowed === undefined || (value !== undefined && allowed.includes(value))
      ? null
      : `${what} ${value === undefined ? 'is not set' : `is "${value}"`}; the policy covers ${allowed.join(', ')}`;
  return (
    miss('source', e.source, scope.sources) ??
    miss('environment tag', e.tags.environment, scope.environments) ??
    miss('dataDomain tag', e.tags.dataDomain, scope.dataDomains)
  );
}
