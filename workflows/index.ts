/** The worker's workflow bundle: every workflow restorepoint runs. */
export { exportWorkflow } from './export-workflow';
export { restoreWorkflow } from './restore-workflow';
export { healthCheckWorkflow } from './health-check-workflow';
export { rollbackWorkflow } from './rollback-workflow';
export { verifyExportWorkflow } from './verify-export-workflow';
export { scheduledVerificationWorkflow } from './verify-scheduled-workflow';
export { retentionWorkflow } from './retention-workflow';
export { scheduledExportWorkflow } from './scheduled-export-workflow';
export { reconstructWorkflow } from './point-in-time-workflow';
export { pruneTrailWorkflow } from './point-in-time-prune-workflow';
export { legalHoldWorkflow } from './legal-hold-workflow';
export { trackWorkflow } from './track-workflow';
export { deleteScheduleWorkflow, saveScheduleWorkflow } from './schedule-workflows';
export { alertWatchWorkflow } from './alert-watch-workflow';
export { ackAlertWorkflow } from './ack-alert-workflow';
export { shredExportWorkflow } from './shred-export-workflow';
export { rotateKeysWorkflow } from './rotate-keys-workflow';
