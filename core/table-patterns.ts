import { RestorepointError } from './errors';

interface Named {
  readonly schema: string;
  readonly name: string;
}

/** Whether a table matches one pattern (`table`, `schema.table`, `*` wildcards). */
export function patternMatcher(pattern: string): (table: Named) => boolean {
  const [schemaPart, tablePart] = pattern.includes('.') ? (pattern.split('.', 2) as [string, string]) : [undefined, pattern];
  const toRegex = (glob: string) => new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  const tableRe = toRegex(tablePart);
  const schemaRe = schemaPart === undefined ? undefined : toRegex(schemaPart);
  return (t) => tableRe.test(t.name) && (schemaRe === undefined || schemaRe.test(t.schema));
}

/**
 * Picks tables by include and exclude patterns (`table`, `schema.table`, `*` wildcards).
 * No include pattern means every table. A pattern without a wildcard that matches nothing
 * is an error (a typo must not silently export less), naming the pattern.
 */
export function selectTables<T extends Named>(tables: readonly T[], include: readonly string[], exclude: readonly string[]): T[] {
  for (const pattern of include) {
    if (!pattern.includes('*') && !tables.some(patternMatcher(pattern))) {
      throw new RestorepointError('TABLE_NOT_FOUND', `table "${pattern}" does not exist in the exported schemas`, { table: pattern });
    }
  }
  const includes = include.map(patternMatcher);
  const excludes = exclude.map(patternMatcher);
  return tables.filter((t) => (includes.length === 0 || includes.some((m) => m(t))) && !excludes.some((m) => m(t)));
}
