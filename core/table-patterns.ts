import { RestorepointError } from './errors';

interface Named {
  readonly schema: string;
  readonly name: string;
}

/**
 * One dot-separated part of a pattern as a regular expression source. Outside double quotes
 * `*` is a wildcard and every other character stands for itself (no case folding); inside
 * them every character is literal, `*` and `.` included, and `""` is one quote, as in SQL.
 */
function partRegex(part: string, pattern: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < part.length; i += 1) {
    const ch = part[i]!;
    if (ch === '"') {
      if (quoted && part[i + 1] === '"') {
        out += '"';
        i += 1;
      } else quoted = !quoted;
    } else if (ch === '*' && !quoted) out += '.*';
    else out += ch.replace(/[.+?^${}()|[\]\\*]/g, '\\$&');
  }
  if (quoted) throw new RestorepointError('INPUT_INVALID', `table pattern ${JSON.stringify(pattern)} has an unclosed double quote`, { pattern });
  return out;
}

/** Splits a pattern at its dots outside double quotes. */
export function splitPattern(pattern: string): string[] {
  return splitOutsideQuotes(pattern, '.');
}

/** Splits `text` at each `separator` outside double quotes (a `""` inside quotes toggles twice: one quote, still quoted). */
export function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

/**
 * Whether a table matches one pattern: `table` or `schema.table`, `*` wildcards, names exact
 * and case-sensitive. A name with a dot, a quote or a `*` is written in double quotes, as in
 * SQL: `"Sales Data"."Order.Lines"` (`exactTablePattern` writes one).
 */
export function patternMatcher(pattern: string): (table: Named) => boolean {
  const parts = splitPattern(pattern);
  if (parts.length > 2 || parts.some((p) => p === '')) {
    throw new RestorepointError('INPUT_INVALID', `table pattern ${JSON.stringify(pattern)}: expected table or schema.table (write a name with a dot in double quotes: "a.b")`, { pattern });
  }
  const [schemaPart, tablePart] = parts.length === 2 ? [parts[0]!, parts[1]!] : [undefined, parts[0]!];
  const tableRe = new RegExp(`^${partRegex(tablePart, pattern)}$`, 'su');
  const schemaRe = schemaPart === undefined ? undefined : new RegExp(`^${partRegex(schemaPart, pattern)}$`, 'su');
  return (t) => tableRe.test(t.name) && (schemaRe === undefined || schemaRe.test(t.schema));
}

/** Whether a pattern has a wildcard (`*` outside double quotes). */
export function hasWildcard(pattern: string): boolean {
  let quoted = false;
  for (const ch of pattern) {
    if (ch === '"') quoted = !quoted;
    else if (ch === '*' && !quoted) return true;
  }
  return false;
}

/**
 * The pattern that matches exactly one table, whatever its names hold: a name with a dot, a
 * quote or a `*` (or an empty one) in double quotes, any other as it is (`public.film`).
 */
export function exactTablePattern(table: Named): string {
  const part = (name: string) => (name === '' || /[."*]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name);
  return `${part(table.schema)}.${part(table.name)}`;
}

/**
 * Picks tables by include and exclude patterns (`table`, `schema.table`, `*` wildcards).
 * No include pattern means every table. A pattern without a wildcard that matches nothing
 * is an error (a typo must not silently export less), naming the pattern.
 */
export function selectTables<T extends Named>(tables: readonly T[], include: readonly string[], exclude: readonly string[]): T[] {
  for (const pattern of include) {
    if (!hasWildcard(pattern) && !tables.some(patternMatcher(pattern))) {
      throw new RestorepointError('TABLE_NOT_FOUND', `table "${pattern}" does not exist in the exported schemas`, { table: pattern });
    }
  }
  const includes = include.map(patternMatcher);
  const excludes = exclude.map(patternMatcher);
  return tables.filter((t) => (includes.length === 0 || includes.some((m) => m(t))) && !excludes.some((m) => m(t)));
}
