/**
 * The change trail: every change to tracked tables of a source database, recorded in that
 * database by triggers (schema `restorepoint_trail`), sealed into a hash chain in commit order,
 * verifiable, and invertible. Design and measurements: docs/change-trail.md.
 */
export { canonicalEntrySql, chainHash, TRAIL_GENESIS_HASH } from './entry-hash';
export { CAPTURE_TRIGGER, TRAIL_SCHEMA, TRUNCATE_TRIGGER } from './install-sql';
export { installTrail, trailInstalled } from './install-trail';
export { listSealedEntries, type SealedRange } from './read-entries';
export type { TrackableTable } from './resolve-targets';
export { sealTrail, type SealHooks, type SealResult, type SealStart, type TrailHead } from './seal-trail';
export { trackTables, untrackTables } from './track';
export type { TrailEntry, TrailOperation } from './trail-entry';
export { trackedTables, trailStatus, type TrackedTable, type TrailStatus } from './trail-status';
export { verifyTrail, type TrailBreak, type TrailVerification, type VerifyTrailOptions } from './verify-trail';
export type { ConflictReason, EntryRef, HistoryEntry, InverseConflict, InverseOperation, InversePlan } from './inverse/inverse-plan';
export { invertChanges, type InvertOptions } from './inverse/invert-changes';
export { planInverse } from './inverse/plan-inverse';
export { renderInverseSql, type InverseStatement, type RenderedInverse, type RenderOptions } from './inverse/render-inverse-sql';
export { trailSelectionSchema, type TrailSelection } from './inverse/selection';
export { ChainFollower, archiveLine, type ArchivableEntry, type ArchivedEntry, type ChainBreak } from './archived-entry';
export { readArchivableEntries, type MissingEntry } from './read-archivable';
export { readPrunePoint } from './prune-point';
export { pruneTrailThrough } from './prune-trail';
export { isTrailCaptureDdl } from './dump-filter';
