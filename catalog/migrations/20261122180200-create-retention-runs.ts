import type { Knex } from 'knex';

/**
 * One row per retention run (dry or real): the policy it applied, the full plan (which can
 * list thousands of exports, so it lives here and not in workflow history) and the outcome.
 * A retried planning activity finds its row and returns the plan it stored the first time.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('retention_runs', (t) => {
    t.text('id').primary();
    t.boolean('dry_run').notNullable();
    t.text('requested_by').notNullable();
    t.jsonb('policy').notNullable();
    t.jsonb('plan').notNullable();
    t.text('status').notNullable().defaultTo('planned');
    t.jsonb('outcome');
    t.timestamp('planned_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.index(['planned_at']);
  });
  await knex.raw(`
    alter table retention_runs
      add constraint retention_runs_status_known check (status in ('planned', 'applying', 'finished', 'failed'))
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('retention_runs');
}
