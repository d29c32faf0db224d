import { escapeLiteral } from 'pg';
import { RestorepointError } from '../core/errors';
import { qualifiedName, type Queryable } from '../postgres/queryable';
import { CAPTURE_TRIGGER, TRUNCATE_TRIGGER } from './install-sql';
import { installTrail } from './install-trail';
import { resolveTargets, type TrackableTable } from './resolve-targets';
import { inTransaction } from './transaction';

/**
 * Installs capture on the tables `targets` name (see resolveTargets), installing the trail itself
 * first. Idempotent: running it again replaces the triggers, which also picks up a changed
 * primary key or partitions added since. Every table is checked before any is touched, so a
 * table without a primary key (NO_PRIMARY_KEY) leaves nothing half-done.
 *
 * Per table: an AFTER INSERT/UPDATE/DELETE row trigger on the table (on a partitioned root,
 * PostgreSQL clones it onto every partition, present and future), and an AFTER TRUNCATE
 * statement trigger on the table or, when partitioned, on each leaf (statement triggers are not
 * cloned, and a TRUNCATE of the root fires each leaf's). Both record the root's name and are
 * ENABLE ALWAYS, so `session_replication_role = replica` still captures.
 */
export async function trackTables(client: Queryable, targets: readonly string[]): Promise<TrackableTable[]> {
  await installTrail(client);
  return inTransaction(client, 'read committed', async () => {
    const tables = await resolveTargets(client, targets);
    const keyless = tables.filter((t) => t.keyColumns.length === 0).map((t) => `${t.schema}.${t.name}`);
    if (keyless.length > 0) {
      throw new RestorepointError('NO_PRIMARY_KEY', `no primary key, so changes could not be told apart: ${keyless.join(', ')}`, { tables: keyless });
    }
    await refuseUnreplayableColumns(client, tables);
    for (const table of tables) await client.query(captureDdl(table));
    return tables;
  });
}

/**
 * The trail records rows as `to_jsonb(row)`. A column whose type casts to JSON as something its
 * input does not read back (hstore becomes an object) could be recorded but never replayed, so
 * a reconstruction would fail long after: such tables are refused now, naming the columns.
 */
async function refuseUnreplayableColumns(client: Queryable, tables: readonly TrackableTable[]): Promise<void> {
  if (tables.length === 0) return;
  const { rows } = await client.query<{ name: string }>(
    `select format('%s.%s.%s (%s)', n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod)) as name
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace join pg_type t on t.oid = a.atttypid
      where (n.nspname, c.relname) in (select * from unnest($1::text[], $2::text[])) and a.attnum > 0 and not a.attisdropped
        and exists (select 1 from pg_cast k where k.castsource in (t.oid, t.typbasetype, t.typelem)
                      and k.castsource not in ('json'::regtype, 'jsonb'::regtype) and k.casttarget in ('json'::regtype, 'jsonb'::regtype))
      order by 1`,
    [tables.map((t) => t.schema), tables.map((t) => t.name)],
  );
  if (rows.length > 0) {
    const columns = rows.map((r) => r.name);
    throw new RestorepointError('INPUT_INVALID', `the change trail cannot record these columns exactly (their type's JSON form does not read back): ${columns.join(', ')}`, { columns });
  }
}

/**
 * Removes capture from the tables `targets` name; tables not tracked are left as they are. The
 * trail keeps every entry recorded so far: history is never dropped by untracking.
 */
export async function untrackTables(client: Queryable, targets: readonly string[]): Promise<TrackableTable[]> {
  return inTransaction(client, 'read committed', async () => {
    const tables = await resolveTargets(client, targets);
    for (const table of tables) {
      const statements = [table, ...table.leaves].map(
        (t) => `drop trigger if exists ${TRUNCATE_TRIGGER} on ${qualifiedName(t.schema, t.name)};`,
      );
      await client.query(`drop trigger if exists ${CAPTURE_TRIGGER} on ${qualifiedName(table.schema, table.name)}; ${statements.join(' ')}`);
    }
    return tables;
  });
}

function captureDdl(table: TrackableTable): string {
  const root = qualifiedName(table.schema, table.name);
  const names = [table.schema, table.name].map(escapeLiteral);
  const rowArgs = [...names, ...table.keyColumns.map(escapeLiteral)].join(', ');
  const truncateTargets = table.kind === 'partitioned' ? table.leaves.map((leaf) => ({ leaf, partition: `${leaf.schema}.${leaf.name}` })) : [{ leaf: table, partition: null }];
  const truncates = truncateTargets.map(({ leaf, partition }) => {
    const on = qualifiedName(leaf.schema, leaf.name);
    const args = partition === null ? names : [...names, escapeLiteral(partition)];
    return `create or replace trigger ${TRUNCATE_TRIGGER} after truncate on ${on}
              for each statement execute function restorepoint_trail.capture_truncate(${args.join(', ')});
            alter table ${on} enable always trigger ${TRUNCATE_TRIGGER};`;
  });
  return `create or replace trigger ${CAPTURE_TRIGGER} after insert or update or delete on ${root}
            for each row execute function restorepoint_trail.capture(${rowArgs});
          alter table ${root} enable always trigger ${CAPTURE_TRIGGER};
          ${truncates.join('\n')}`;
}
