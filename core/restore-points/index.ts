/** Restore chains and points in time, as pure logic over catalog rows (docs/incremental-and-point-in-time.md). */
export { baseShortfall, describeWanted } from './chain-base';
export { continues, type ChainLink, type TrailPoint } from './chain-link';
export { followChain, type FollowedChain } from './follow-chain';
export { pickParent, type PickedParent } from './pick-parent';
export { planRestorePoint } from './plan-restore-point';
export type { RestorePlan, RestorePlanResult, TrailTail } from './restore-plan';
export { describeTail, summarizeRestorePlan, type RestorePointSummary } from './restore-point-summary';
export { deltaManifestSchema, DELTA_TABLE_KEY, deltaObjectNames, type DeltaManifest } from './delta-manifest';
export {
  pointInTimeSchema,
  pruneInputSchema,
  reconstructInputSchema,
  reconstructWorkflowId,
  type PruneRequest,
  type ReconstructInput,
  type ReconstructRequest,
  type ReconstructSummary,
} from './reconstruct-input';
