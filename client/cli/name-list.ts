import { RestorepointError } from '../../core/errors';
import { splitOutsideQuotes } from '../../core/table-patterns';

/**
 * Splits one flag value at its commas outside double quotes, so a quoted name may hold a
 * comma (`'"Sales Data"."a,b",public.orders'`); `""` inside quotes is one quote, as in SQL.
 * Items keep their quotes (table patterns read them, core/table-patterns.ts); the blanks
 * around an item are dropped, those inside quotes kept.
 */
export function splitNameList(value: string): string[] {
  // An odd number of quotes leaves the last item open: refused rather than guessed at.
  if ((value.match(/"/g)?.length ?? 0) % 2 === 1) throw new RestorepointError('INPUT_INVALID', `${JSON.stringify(value)} has an unclosed double quote`, { value });
  return splitOutsideQuotes(value, ',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * A commander option parser for table patterns: comma-separated, and the flag may be
 * repeated (`--tables a --tables '"x,y"'`), each value adding to the list.
 */
export const patternList = (value: string, previous: readonly string[] = []): string[] => [...previous, ...splitNameList(value)];

/**
 * The same for schema names, which are names, not patterns: an item written in double quotes
 * is unquoted (`"a,b"` is the schema `a,b`, `"say ""hi"""` is `say "hi"`); any other is taken
 * as it is, spaces and capitals included (`Sales Data`).
 */
export const schemaList = (value: string, previous: readonly string[] = []): string[] => [...previous, ...splitNameList(value).map(unquoteName)];

function unquoteName(item: string): string {
  if (item.length < 2 || !item.startsWith('"') || !item.endsWith('"')) return item;
  const inner = item.slice(1, -1);
  // A lone quote inside would mean the item was not one quoted name (`"a"."b"`): keep it as written.
  if (inner.replace(/""/g, '').includes('"')) return item;
  return inner.replace(/""/g, '"');
}
