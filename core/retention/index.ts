/**
 * Retention: which exports to keep, delete or move to colder storage, and why. Pure code with
 * no Node.js imports and no clock (`now` is passed in), so workflows may import it.
 */
export { exportSummarySchema, holdsNoAppTables, type ExportSummary } from './export-summary';
export { formatPlan } from './format-plan';
export { planRetention } from './plan-retention';
export type { PlannedExport, PlannedOrphan, RetentionAction, RetentionPlan, RetentionWarning } from './retention-plan';
export {
  gfsSchema,
  retentionPolicySchema,
  retentionScopeSchema,
  tieringSchema,
  type GfsPolicy,
  type RetentionPolicy,
  type RetentionPolicyInput,
  type RetentionScope,
  type TieringPolicy,
} from './retention-policy';
export { RETENTION_RULE_CODES, type RetentionReason, type RetentionRuleCode } from './retention-rules';
export { STORAGE_CLASSES, isColder, storageClassSchema, type StorageClass } from './storage-class';
