import type { Knex } from 'knex';

/** The row predicates a rollback's scope was narrowed by, so `rollback undo` narrows the same way. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rollbacks', (t) => {
    t.jsonb('row_predicates').notNullable().defaultTo('{}');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rollbacks', (t) => {
    t.dropColumn('row_predicates');
  });
}
