import type { Knex } from 'knex';

/**
 * One row per rollback: its request, the stage it reached, and what it found. The full
 * preview (with sample rows) lives here rather than in workflow history.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rollbacks', (t) => {
    t.text('id').primary();
    t.text('source').notNullable();
    t.text('target_export_id').notNullable();
    t.text('mode').notNullable();
    t.jsonb('tables').notNullable();
    t.text('requested_by').notNullable();
    t.text('reason').notNullable();
    t.text('stage').notNullable();
    t.text('undo_of');
    t.text('safety_export_id');
    t.jsonb('preview');
    t.jsonb('samples');
    t.jsonb('validation');
    t.text('outcome');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['target_export_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('rollbacks');
}
