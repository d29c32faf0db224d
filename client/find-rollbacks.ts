import { RestorepointError } from '../core/errors';
import { FINAL_STAGES, NEXT_STAGES, type RollbackStage } from '../core/rollback/rollback-state';
import { searchAttributes as key } from '../core/search-attributes';
import type { RestorepointClient } from './connect';

export interface RollbackListEntry {
  readonly rollbackId: string;
  /** The stage the workflow last set; null for a run started before rollbacks set it. */
  readonly stage: string | null;
  readonly source: string | null;
  readonly requestedBy: string | null;
  readonly targetExportId: string | null;
  /** Temporal's view: RUNNING, COMPLETED, FAILED, … */
  readonly status: string;
  readonly startedAt: string;
}

export interface RollbackListFilter {
  readonly stage?: string;
  readonly source?: string;
  /** At most this many, newest first; 50 when unset. */
  readonly limit?: number;
}

const PREFIX = 'rollback-';

/**
 * Rollbacks as Temporal's visibility finds them through their search attributes
 * (core/search-attributes.ts): e.g. every rollback waiting for approval on a source. Filters
 * are checked before they enter the query, so a value can never change its meaning.
 */
export async function listRollbacks(client: RestorepointClient, filter: RollbackListFilter = {}): Promise<readonly RollbackListEntry[]> {
  const clauses = [`WorkflowType = 'rollbackWorkflow'`];
  if (filter.stage !== undefined) {
    if (!(filter.stage in NEXT_STAGES)) throw new RestorepointError('INPUT_INVALID', `unknown stage "${filter.stage}": one of ${Object.keys(NEXT_STAGES).join(', ')}`);
    clauses.push(`${key.rollbackStage.name} = '${filter.stage as RollbackStage}'`);
    // A closed run keeps its last stage; a final stage is only ever on a closed one, the others only on running ones.
    if (!FINAL_STAGES.includes(filter.stage as RollbackStage)) clauses.push(`ExecutionStatus = 'Running'`);
  }
  if (filter.source !== undefined) {
    if (!/^[a-z][a-z0-9_-]*$/.test(filter.source)) throw new RestorepointError('INPUT_INVALID', `"${filter.source}" is not a source name`);
    clauses.push(`${key.source.name} = '${filter.source}'`);
  }
  const entries: RollbackListEntry[] = [];
  const limit = filter.limit ?? 50;
  for await (const execution of client.temporal.workflow.list({ query: clauses.join(' AND '), pageSize: Math.min(limit, 100) })) {
    const attributes = execution.typedSearchAttributes;
    entries.push({
      rollbackId: execution.workflowId.startsWith(PREFIX) ? execution.workflowId.slice(PREFIX.length) : execution.workflowId,
      stage: attributes.get(key.rollbackStage) ?? null,
      source: attributes.get(key.source) ?? null,
      requestedBy: attributes.get(key.requester) ?? null,
      targetExportId: attributes.get(key.exportId) ?? null,
      status: execution.status.name,
      startedAt: execution.startTime.toISOString(),
    });
    if (entries.length >= limit) break;
  }
  return entries;
}
