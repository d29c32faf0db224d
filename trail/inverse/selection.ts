import { z } from 'zod';
import type { JsonObject } from '../../catalog/ledger';
import { objectSchema } from '../../catalog/ledger/ledger-entry';
import { parseInput } from '../../catalog/parse-input';

const time = z.iso.datetime({ offset: true });

/**
 * Which trail entries to undo; every filter given must hold (AND), and at least one is needed.
 * Only sealed entries are selected: planning seals first.
 */
export const trailSelectionSchema = z
  .object({
    /** Transaction ids (xid8, as text). */
    xids: z.array(z.string().regex(/^\d+$/, 'a transaction id')).min(1).optional(),
    /** The recorded actor, exactly. */
    actor: z.string().min(1).optional(),
    /** Changes made at or after this time (ISO 8601 with an offset). */
    from: time.optional(),
    /** Changes made before this time. */
    until: time.optional(),
    /** Tables as `schema.table`. */
    tables: z.array(z.string().regex(/^[^.]+\.[^.]+$/, 'schema.table')).min(1).optional(),
    /** Primary keys as recorded (before the change; for an insert, the new row's), e.g. {"film_id": 1}. */
    keys: z.array(objectSchema<JsonObject>()).min(1).optional(),
  })
  .refine((s) => Object.values(s).some((v) => v !== undefined), 'select by at least one of xids, actor, from, until, tables, keys');
export type TrailSelection = z.input<typeof trailSelectionSchema>;

/**
 * The selection as a WHERE condition over `restorepoint_trail.change c`, its parameters numbered
 * from $1. Validates first: a bad selection is INPUT_INVALID.
 */
export function selectionCondition(selection: TrailSelection): { readonly sql: string; readonly params: readonly unknown[] } {
  const s = parseInput(trailSelectionSchema, selection, 'trail selection');
  const conditions: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (s.xids) conditions.push(`c.xid = any(${param(s.xids)}::text[]::xid8[])`);
  if (s.actor) conditions.push(`c.actor = ${param(s.actor)}`);
  if (s.from) conditions.push(`c.at >= ${param(s.from)}::timestamptz`);
  if (s.until) conditions.push(`c.at < ${param(s.until)}::timestamptz`);
  if (s.tables) {
    const [schemas, tables] = [s.tables.map((t) => t.split('.')[0]!), s.tables.map((t) => t.split('.')[1]!)];
    conditions.push(`(c.schema_name, c.table_name) in (select * from unnest(${param(schemas)}::text[], ${param(tables)}::text[]))`);
  }
  if (s.keys) conditions.push(`c.key = any(${param(s.keys.map((k) => JSON.stringify(k)))}::jsonb[])`);
  return { sql: conditions.join(' and '), params };
}
