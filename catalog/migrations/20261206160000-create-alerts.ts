import type { Knex } from 'knex';

/**
 * Alerts raised by accident detection on the change trail and by service objectives
 * (docs/observability.md). Additive: a table of its own. `key` says what an alert is about
 * (source, kind, table, operation): an objective's alert stays one open row per key until it
 * clears, and detection counts a key's changes only after its newest alert's `window_end`, so
 * the same changes never raise twice, acknowledged or not.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('alerts', (t) => {
    t.text('id').primary();
    t.text('key').notNullable();
    t.text('kind').notNullable();
    t.text('source').notNullable();
    t.text('table_name');
    t.text('operation');
    t.text('actor');
    t.timestamp('window_start', { useTz: true }).notNullable();
    t.timestamp('window_end', { useTz: true }).notNullable();
    t.jsonb('counts').notNullable();
    t.text('summary').notNullable();
    t.text('proposal');
    t.text('status').notNullable().defaultTo('open');
    t.timestamp('raised_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('acked_at', { useTz: true });
    t.text('acked_by');
    t.text('ack_comment');
    t.timestamp('cleared_at', { useTz: true });
    // The last state a webhook delivery announced: null, 'raised' or 'cleared'.
    t.text('notified');
    t.integer('delivery_attempts').notNullable().defaultTo(0);
    t.index(['source', 'status']);
    t.index(['key', 'window_end']);
  });
  await knex.raw(`
    alter table alerts
      add constraint alerts_status_known check (status in ('open', 'acked', 'cleared')),
      add constraint alerts_notified_known check (notified is null or notified in ('raised', 'cleared'))`);
  // One unresolved alert per objective key (and rollback burst): a retried check never opens a second one.
  await knex.raw(`create unique index alerts_one_unresolved_objective on alerts (key) where status <> 'cleared' and (kind like 'slo-%' or kind = 'rollback-burst')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('alerts');
}
