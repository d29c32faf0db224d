import { executeChild } from '@temporalio/workflow';
import type { PreparedScope } from '../activities/rollback';
import { exportWorkflowId } from '../core/export-input';
import { exactTablePattern } from '../core/table-patterns';
import { safetyExportId, type RollbackInput } from '../core/rollback/rollback-input';
import { exportWorkflow } from './export-workflow';

/**
 * Exports the live state of every table in scope before anything changes, as a child
 * export (id `<rollback id>-safety`, beside the target export): what undo and
 * compensation restore. A retried workflow task finds the same child id, so it runs once.
 */
export async function takeSafetySnapshot(input: RollbackInput, scope: PreparedScope): Promise<string> {
  const exportId = safetyExportId(input.rollbackId);
  await executeChild(exportWorkflow, {
    workflowId: exportWorkflowId(exportId),
    args: [
      {
        exportId,
        source: input.source,
        schemas: [...new Set(scope.tables.map((t) => t.schema))],
        // Exact patterns: a table named with a dot, a quote or a * is that table and no other.
        tables: scope.tables.map(exactTablePattern),
        destination: scope.destination,
        tags: { purpose: `safety snapshot before rollback ${input.rollbackId}`, requestedBy: input.requestedBy },
        // For undo only: never the base of a restore chain, nor an incremental's parent.
        role: 'safety-snapshot',
        requestedBy: input.requestedBy,
      },
    ],
  });
  return exportId;
}
