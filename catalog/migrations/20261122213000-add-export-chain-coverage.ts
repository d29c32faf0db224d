import type { Knex } from 'knex';

/**
 * What a full export holds and is for, so a restore chain never starts from one that lacks
 * tables (docs/incremental-and-point-in-time.md, "What can be a chain base"):
 *
 * - `role`: `backup`, or `safety-snapshot` (a rollback's export of its scope, taken for undo:
 *   never a chain base);
 * - `partial`: made with a table selection (`--tables`, `--exclude`), so it holds only some
 *   tables of its schemas;
 * - `tables`: the `schema.table` names it holds (null when not recorded).
 *
 * Older rows are filled in from what the catalog already knows: tables from their parts (every
 * table has at least one), safety snapshots from the rollbacks that took them (or their
 * purpose tag), partial ones from the `export.requested` ledger entry that names their tables.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('exports', (t) => {
    t.text('role').notNullable().defaultTo('backup');
    t.boolean('partial').notNullable().defaultTo(false);
    t.jsonb('tables');
  });
  await knex.raw(`
    alter table exports
      add constraint exports_role_known check (role in ('backup', 'safety-snapshot')),
      add constraint exports_tables_array check (jsonb_typeof(tables) = 'array')
  `);
  await knex.raw(`
    update exports e set tables = held.tables
    from (select export_id, jsonb_agg(distinct table_name order by table_name) as tables
          from export_files where table_name <> 'restorepoint_trail.change' group by export_id) held
    where held.export_id = e.id and e.mode = 'full'
  `);
  await knex.raw(`
    update exports set role = 'safety-snapshot', partial = true
    where id in (select safety_export_id from rollbacks where safety_export_id is not null)
       or tags->>'purpose' like 'safety snapshot before rollback %'
  `);
  await knex.raw(`
    update exports e set partial = true
    from ledger l
    where l.subject = e.id and l.action = 'export.requested' and e.mode = 'full'
      and jsonb_typeof(l.details->'tables') = 'array' and jsonb_array_length(l.details->'tables') > 0
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table exports drop constraint exports_role_known, drop constraint exports_tables_array');
  await knex.schema.alterTable('exports', (t) => {
    t.dropColumns('role', 'partial', 'tables');
  });
}
