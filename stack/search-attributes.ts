import { temporal } from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES } from '../core/search-attributes';

type IndexedValueType = temporal.api.enums.v1.IndexedValueType;

/** The subset of Temporal's operator service (on a Connection or a NativeConnection) this needs. */
export interface SearchAttributeAdmin {
  listSearchAttributes(request: { namespace: string }): Promise<{ customAttributes?: Record<string, IndexedValueType> | null }>;
  addSearchAttributes(request: { namespace: string; searchAttributes: Record<string, IndexedValueType> }): Promise<unknown>;
}

const INDEXED = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
} as const;

/** `temporal operator search-attribute create` arguments for each attribute, for docs and errors. */
export function searchAttributeCliArgs(): string {
  return ALL_SEARCH_ATTRIBUTES.map((k) => `--name ${k.name} --type ${k.type === 'KEYWORD_LIST' ? 'KeywordList' : 'Keyword'}`).join(' ');
}

/**
 * Registers restorepoint's search attributes in `namespace` where missing; harmless when all
 * exist. A namespace where they cannot be added (Temporal Cloud, no operator permission) and
 * that lacks them is refused with the command to create them: without them every workflow
 * task that sets one would fail.
 */
export async function ensureSearchAttributes(admin: SearchAttributeAdmin, namespace: string): Promise<readonly string[]> {
  const existing = (await admin.listSearchAttributes({ namespace })).customAttributes ?? {};
  const missing = ALL_SEARCH_ATTRIBUTES.filter((k) => !(k.name in existing));
  if (missing.length === 0) return [];
  try {
    await admin.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((k) => [k.name, INDEXED[k.type as keyof typeof INDEXED]])) });
  } catch (error) {
    const now = (await admin.listSearchAttributes({ namespace })).customAttributes ?? {};
    const still = missing.filter((k) => !(k.name in now));
    if (still.length > 0) {
      throw new Error(
        `namespace ${namespace} lacks the search attributes ${still.map((k) => k.name).join(', ')} and they cannot be added here (${(error as Error).message}); ` +
          `create them once: temporal operator search-attribute create --namespace ${namespace} ${searchAttributeCliArgs()}`,
      );
    }
  }
  return missing.map((k) => k.name);
}
