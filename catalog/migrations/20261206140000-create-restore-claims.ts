import type { Knex } from 'knex';

/**
 * One row per table a restore has claimed in a target database (`database` is the server's
 * system identifier and the database name, so two names for one database are one target).
 * The claim itself is an advisory lock held by the restore's transaction on the target; this
 * row says who holds it, and keeps the last restore into each table once released (and
 * whether it committed).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('restore_claims', (t) => {
    t.text('database').notNullable();
    t.text('table_name').notNullable();
    t.text('restore_id').notNullable();
    t.text('export_id').notNullable();
    t.text('target').notNullable();
    t.timestamp('claimed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('released_at', { useTz: true });
    // Set once the restore's transaction committed: a retry of the same restore then knows the rows are its own.
    t.timestamp('committed_at', { useTz: true });
    t.jsonb('summary');
    t.primary(['database', 'table_name']);
    t.index(['restore_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('restore_claims');
}
