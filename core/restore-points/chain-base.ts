import { hasWildcard, patternMatcher } from '../table-patterns';
import type { ChainLink } from './chain-link';

/** What deciding a base reads of an export: retention asks it of catalog rows that are not chain links. */
export type BaseCandidate = Pick<ChainLink, 'exportId' | 'mode' | 'role' | 'partial' | 'tables' | 'masked'>;

/**
 * Why `link` cannot start a restore chain that must hold `wanted` (table patterns as a
 * reconstruction, a rollback or an incremental export names them; empty: every table), or
 * null when it can. Pure: the planner, the choice of an incremental's parent and pruning share it.
 *
 * A base must be a full export that is a backup (a rollback's safety snapshot is kept for undo
 * only) and holds what is wanted: every table asks for an export made without a table
 * selection; a table name asks for an export that holds it; a pattern with `*` asks for an
 * export without a selection too, since only that one is known to hold every table the
 * pattern names in the source. Exports whose tables the catalog never recorded (older ones)
 * are taken at their word, as before.
 */
export function baseShortfall(link: BaseCandidate, wanted: readonly string[]): string | null {
  if (link.mode !== 'full') return `${link.exportId} is an incremental export`;
  if (link.role === 'safety-snapshot') return `${link.exportId} is a rollback's safety snapshot (kept for undo, never a chain base)`;
  if (link.masked) return `${link.exportId} is a masked export (its rows are not the source's, never a chain base)`;
  const holds = link.tables === null ? 'some tables' : nameList(link.tables);
  if (wanted.length === 0) return link.partial ? `${link.exportId} holds only ${holds} (taken with a table selection), not every table` : null;
  const held = (link.tables ?? []).flatMap(splitName);
  const missing = wanted.filter((pattern) => {
    if (hasWildcard(pattern)) return link.partial;
    const matches = patternMatcher(pattern);
    return link.tables !== null && !held.some(matches);
  });
  if (missing.length === 0) return null;
  return `${link.exportId} holds only ${holds}, not ${nameList(missing)}${link.partial && missing.some(hasWildcard) ? ' (a pattern with * needs an export taken without a table selection: name the tables instead)' : ''}`;
}

/** What a chain is asked to hold, in words. */
export function describeWanted(wanted: readonly string[]): string {
  return wanted.length === 0 ? 'every table' : nameList(wanted);
}

/**
 * `schema.table` as the catalog keeps it, unquoted: a name holding a dot makes it ambiguous
 * (`a.b.c` is `a`.`b.c` or `a.b`.`c`), so every reading is offered and a table matches if one does.
 */
function splitName(qualified: string): { schema: string; name: string }[] {
  const readings: { schema: string; name: string }[] = [];
  for (let dot = qualified.indexOf('.'); dot >= 0; dot = qualified.indexOf('.', dot + 1)) {
    readings.push({ schema: qualified.slice(0, dot), name: qualified.slice(dot + 1) });
  }
  return readings.length > 0 ? readings : [{ schema: '', name: qualified }];
}

function nameList(names: readonly string[]): string {
  const shown = names.slice(0, 8).join(', ');
  return names.length > 8 ? `${shown} and ${names.length - 8} more` : shown;
}
