/**
 * restorepoint's client library for scripts: `require('restorepoint/client')` (or `import`) from
 * the built package (dist/, with type declarations). Connect with `connectClient(loadConfig())`,
 * then start and follow exports, restores, verifications, rollbacks, retention and schedules.
 * The CLI (`client/cli/`) is built on these same functions.
 */
export { loadConfig } from '../config/load';
export type { Config, SourceConfig } from '../config/schema';
export { RestorepointError, isRestorepointError, type ErrorCode } from '../core/errors';
export { acknowledgeAlert, runAlertWatch, type AckOutcome } from './alerts';
export { connectClient, type RestorepointClient } from './connect';
export { exportHandle, newExportId, startExport, type ExportHandle, type StartExportOptions } from './exports';
export { runHealthCheck } from './health';
export { changeHold } from './holds';
export { pruneTrail, startReconstruct, type StartReconstructOptions } from './point-in-time';
export { startRestore, type StartRestoreOptions } from './restores';
export { runRetention } from './retention';
export { newRollbackId, rollbackHandle, startRollback, type RollbackHandle, type StartRollbackOptions } from './rollbacks';
export { deleteSchedule, describeSchedule, listSchedules, removeSchedule, saveSchedule, triggerSchedule, upsertSchedule, type ScheduleListing, type ScheduleRequest } from './schedules';
export { changeTracking } from './tracking';
export { startVerification, type StartVerificationOptions } from './verifications';
