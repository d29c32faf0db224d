import type { Knex } from 'knex';

/** One row per verification of an export, at one of the three depths. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('verification_runs', (t) => {
    t.text('id').primary();
    t.text('export_id').notNullable().references('exports.id');
    t.text('level').notNullable();
    t.text('status').notNullable().defaultTo('running');
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.jsonb('results');
    t.text('requested_by').notNullable();
    t.index(['export_id', 'started_at']);
  });
  await knex.raw(`
    alter table verification_runs
      add constraint verification_runs_level_known check (level in ('checksums', 'decode', 'restore')),
      add constraint verification_runs_status_known check (status in ('running', 'passed', 'failed'))
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('verification_runs');
}
