import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The search attributes restorepoint's workflows set, so `restorepoint rollback list`, the
 * Temporal UI and `temporal workflow list --query` can find them. All are keywords (exact
 * match). `stack up` and every worker register them (stack/search-attributes.ts); a
 * production namespace needs them created once (docs/observability.md).
 */
export const searchAttributes = {
  /** export, rollback. */
  kind: defineSearchAttributeKey('RestorepointKind', SearchAttributeType.KEYWORD),
  source: defineSearchAttributeKey('RestorepointSource', SearchAttributeType.KEYWORD),
  requester: defineSearchAttributeKey('RestorepointRequester', SearchAttributeType.KEYWORD),
  /** An export's own id; a rollback's target export, when it names one. */
  exportId: defineSearchAttributeKey('RestorepointExportId', SearchAttributeType.KEYWORD),
  /** An export's tags as `key=value`. */
  tags: defineSearchAttributeKey('RestorepointTags', SearchAttributeType.KEYWORD_LIST),
  /** A rollback's stage, upserted as it moves (preparing … awaiting-approval … done). */
  rollbackStage: defineSearchAttributeKey('RollbackStage', SearchAttributeType.KEYWORD),
} as const;

export const ALL_SEARCH_ATTRIBUTES = Object.values(searchAttributes);

/**
 * The patch id (`patched()`) under which workflows set these: histories written before it
 * replay without the upsert commands (docs/observability.md, "Changing workflows").
 */
export const SEARCH_ATTRIBUTES_PATCH = 'search-attributes-v1';
