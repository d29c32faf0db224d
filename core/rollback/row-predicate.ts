/**
 * The text checks on a rollback's row predicate (`where`), before any database sees it.
 * The predicate is placed as `where (<predicate>)`; these rules make sure it stays inside
 * those parentheses as one expression, whatever PostgreSQL's lexer would make of it. The
 * database then checks the rest (activities/rollback/row-predicate-scope.ts).
 *
 * Pure module: imported by the client and by activities.
 */

export const MAX_PREDICATE_LENGTH = 4000;

/**
 * Refused anywhere, even inside a string: with them gone, a string is `'…'` with `''` for a
 * quote and a quoted name `"…"` with `""`, so the scan below reads the text as PostgreSQL does.
 */
const FORBIDDEN: readonly (readonly [string, string])[] = [
  [';', 'a statement separator ";" (in a string, write chr(59))'],
  ['--', 'a comment "--"'],
  ['/*', 'a comment "/*"'],
  ['$', 'a "$" (dollar quoting or a parameter)'],
  ['\\', 'a backslash (escape strings; for LIKE, name another character with ESCAPE)'],
  ['\0', 'a NUL character'],
];

/** Why `text` cannot be a row predicate, or null when it may go on to the database's checks. */
export function rowPredicateProblem(text: string): string | null {
  if (text.trim() === '') return 'it is empty';
  if (text.length > MAX_PREDICATE_LENGTH) return `it is longer than ${MAX_PREDICATE_LENGTH} characters`;
  for (const [token, what] of FORBIDDEN) if (text.includes(token)) return `it contains ${what}`;
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== null) {
      if (c !== quote) continue;
      if (text[i + 1] === quote) i++;
      else quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '(') {
      depth++;
    } else if (c === ')' && --depth < 0) {
      return 'a ")" closes a parenthesis it did not open';
    }
  }
  if (quote !== null) return quote === "'" ? 'a string is not closed' : 'a quoted name is not closed';
  if (depth > 0) return 'a "(" is never closed';
  return null;
}

/** Every problem of a `where` input, one line each, prefixed with its table pattern. */
export function rowPredicateProblems(where: Readonly<Record<string, string>>): string[] {
  return Object.entries(where).flatMap(([table, text]) => {
    const problem = rowPredicateProblem(text);
    return problem === null ? [] : [`the row predicate for ${table} is refused: ${problem}`];
  });
}
