import type { Knex } from 'knex';

/**
 * Identity bookkeeping (docs/security.md). A token id bound, on first use for a purpose, to one object (an approval token to its
 * rollback): the same token naming another object is a replay and is refused.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('token_bindings', (t) => {
    t.text('token_id').notNullable();
    t.text('purpose').notNullable();
    t.text('bound_to').notNullable();
    t.text('subject').notNullable();
    t.timestamp('first_used_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['token_id', 'purpose']);
  });
  // A workflow started by an authorized one (a rollback's safety snapshot) acts for the parent's verified caller.
  await knex.schema.createTable('workflow_delegations', (t) => {
    t.text('workflow_id').primary();
    t.text('parent_workflow_id').notNullable();
    t.jsonb('principal').notNullable();
    // The one action the child may take for that caller, whatever roles they hold (a rollback's safety snapshot is an export).
    t.text('permission').notNullable();
    t.text('resource').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('workflow_delegations');
  await knex.schema.dropTable('token_bindings');
}
