import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { patched, upsertSearchAttributes } from '@temporalio/workflow';
import type { ExportInput } from '../core/export-input';
import type { RollbackInput } from '../core/rollback/rollback-input';
import type { RollbackStage } from '../core/rollback/rollback-state';
import { SEARCH_ATTRIBUTES_PATCH, searchAttributes as key } from '../core/search-attributes';

/**
 * Upserts are commands: code that adds them must not change what a history written without
 * them replays to, so they run only under the patch (a replay of an older run skips them
 * until the run goes live again, then sets them from there on).
 */
function upsert(pairs: SearchAttributeUpdatePair[]): void {
  if (patched(SEARCH_ATTRIBUTES_PATCH)) upsertSearchAttributes(pairs);
}

/** An export: findable by source, requester, id and `key=value` tags. */
export function markExport(input: ExportInput): void {
  upsert([
    { key: key.kind, value: 'export' },
    { key: key.source, value: input.source },
    { key: key.requester, value: input.requestedBy },
    { key: key.exportId, value: input.exportId },
    { key: key.tags, value: Object.entries(input.tags).map(([k, v]) => `${k}=${String(v)}`) },
  ]);
}

/** A rollback at `stage`: set whole at each move, so a run that went live mid-way is complete too. */
export function markRollback(input: RollbackInput, stage: RollbackStage): void {
  upsert([
    { key: key.kind, value: 'rollback' },
    { key: key.source, value: input.source },
    { key: key.requester, value: input.requestedBy },
    ...('exportId' in input.target ? [{ key: key.exportId, value: input.target.exportId }] : []),
    { key: key.rollbackStage, value: stage },
  ]);
}
