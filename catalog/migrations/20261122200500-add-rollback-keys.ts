import type { Knex } from 'knex';

/** The primary keys a rollback's scope was narrowed to, so `rollback undo` narrows the same way. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rollbacks', (t) => {
    t.jsonb('keys').notNullable().defaultTo('{}');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rollbacks', (t) => {
    t.dropColumn('keys');
  });
}
