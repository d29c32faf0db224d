import type { ActivityDeps } from './deps';
import { createAlertActivities } from './alerts';
import { createAuthorizeActivities } from './authorize';
import { createCheckScopeActivity } from './export/check-scope';
import { createExportDataActivity } from './export/export-data';
import { createExportRangeActivity } from './export/export-range';
import { createExportLifecycleActivities } from './export/export-lifecycle';
import { createHealthActivities } from './health/probe-storage';
import { createHoldActivities } from './holds';
import { createIncrementalActivities } from './incremental';
import { createPointInTimeActivities } from './point-in-time';
import { createLedgerActivities } from './ledger/record-ledger';
import { createRestoreActivity } from './restore/restore-export';
import { createRetentionActivities } from './retention';
import { createRollbackActivities } from './rollback';
import { createScheduleActivities } from './schedules';
import { createTrackingActivities } from './tracking';
import { createRotateKeysActivities } from './keys/rotate-keys';
import { createShredActivities } from './keys/shred-export';
import { withTypedFailures } from './typed-failures';
import { createVerifyActivities } from './verify';

/** Every activity, built from narrow dependencies so tests can pass real or fake ones. */
export function createActivities(deps: ActivityDeps) {
  return withTypedFailures({
    ...createAuthorizeActivities(deps),
    ...createAlertActivities(deps),
    ...createExportLifecycleActivities(deps),
    ...createLedgerActivities(deps),
    ...createHealthActivities(deps),
    ...createIncrementalActivities(deps),
    ...createPointInTimeActivities(deps),
    ...createRollbackActivities(deps),
    ...createVerifyActivities(deps),
    ...createRetentionActivities(deps),
    ...createHoldActivities(deps),
    ...createTrackingActivities(deps),
    ...createScheduleActivities(deps),
    ...createShredActivities(deps),
    ...createRotateKeysActivities(deps),
    checkScope: createCheckScopeActivity(deps),
    exportData: createExportDataActivity(deps),
    exportRange: createExportRangeActivity(deps),
    restoreExport: createRestoreActivity(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
