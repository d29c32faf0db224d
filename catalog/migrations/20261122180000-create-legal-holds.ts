import type { Knex } from 'knex';

/**
 * Legal holds: one row per hold placed on an export, kept after release so the catalog shows
 * who held what, why and until when. At most one hold per export is active (not released);
 * `exports.legal_hold` mirrors "has an active hold" and is written in the same transaction, so
 * the retention planner and `markExport` need read only the export row.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('legal_holds', (t) => {
    t.bigIncrements('id').primary();
    t.text('export_id').notNullable().references('exports.id');
    t.text('reason').notNullable();
    t.text('placed_by').notNullable();
    t.timestamp('placed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('released_by');
    t.text('release_reason');
    t.timestamp('released_at', { useTz: true });
    t.index(['export_id', 'placed_at']);
  });
  await knex.raw(`
    alter table legal_holds
      add constraint legal_holds_reason_given check (reason <> '' and placed_by <> ''),
      add constraint legal_holds_release_complete check (
        (released_at is null and released_by is null and release_reason is null)
        or (released_at is not null and released_by <> '' and release_reason <> ''));
    create unique index legal_holds_one_active on legal_holds (export_id) where released_at is null;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('legal_holds');
}
