/**
 * Every rule that can decide an export's fate, in precedence order: when several match, the
 * first one listed is reported as the deciding rule. Codes are stable; scripts may key on them.
 */
export const RETENTION_RULE_CODES = [
  // Safety: hold whatever the policy says.
  'out-of-scope',
  'legal-hold',
  'busy',
  'in-progress',
  'newest-verified',
  // Keep rules of the policy.
  'keep-last',
  'gfs-daily',
  'gfs-weekly',
  'gfs-monthly',
  'gfs-yearly',
  'safety-snapshot',
  'min-age',
  'needed-by-chain',
  // Storage-class tiering of a kept export.
  'tier-by-age',
  // Why an export that no keep rule matched is deleted.
  'failed-export-cleanup',
  'corrupt',
  'broken-chain',
  'safety-snapshot-expired',
  'partial-expired',
  'expired',
] as const;

export type RetentionRuleCode = (typeof RETENTION_RULE_CODES)[number];

/** One rule that matched an export, with a sentence saying how it applied to that export. */
export interface RetentionReason {
  readonly code: RetentionRuleCode;
  readonly explanation: string;
}

/** Orders reasons by precedence, so the deciding rule comes first. */
export function byPrecedence(a: RetentionReason, b: RetentionReason): number {
  return RETENTION_RULE_CODES.indexOf(a.code) - RETENTION_RULE_CODES.indexOf(b.code);
}
