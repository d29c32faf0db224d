import type { Knex } from 'knex';

/**
 * The export catalog: one row per export and one per stored object. Statuses and verification
 * states are CHECKed text (not enums) so a later feature can widen them with a small migration.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('exports', (t) => {
    t.text('id').primary();
    t.text('status').notNullable().defaultTo('requested');
    t.text('mode').notNullable();
    // A source is named in config; its URL holds credentials and must never reach the catalog.
    t.text('source').notNullable();
    t.text('destination').notNullable();
    t.text('format').notNullable();
    t.text('compression').notNullable();
    t.text('parent_export_id').references('exports.id');
    t.text('base_export_id').references('exports.id');
    t.jsonb('tags').notNullable().defaultTo(knex.raw(`'{}'::jsonb`));
    t.jsonb('snapshot');
    t.text('manifest_key');
    t.text('manifest_sha256');
    t.integer('tables_count');
    t.bigInteger('rows');
    t.bigInteger('bytes');
    t.text('requested_by').notNullable();
    t.text('error');
    t.text('verification_status').notNullable().defaultTo('unverified');
    t.timestamp('verified_at', { useTz: true });
    t.boolean('legal_hold').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('started_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    t.index(['source', 'created_at']);
    t.index(['status']);
  });
  await knex.raw(`
    alter table exports
      add constraint exports_status_known check (status in ('requested', 'running', 'succeeded', 'failed', 'deleted')),
      add constraint exports_mode_known check (mode in ('full', 'incremental')),
      add constraint exports_source_is_a_name check (source ~ '^[a-z][a-z0-9_-]*$'),
      add constraint exports_verification_known check (verification_status in ('unverified', 'verified', 'corrupt')),
      add constraint exports_manifest_sha256_hex check (manifest_sha256 ~ '^[0-9a-f]{64}$'),
      add constraint exports_tags_object check (jsonb_typeof(tags) = 'object'),
      add constraint exports_counts_non_negative check (tables_count >= 0 and rows >= 0 and bytes >= 0)
  `);

  await knex.schema.createTable('export_files', (t) => {
    t.text('export_id').notNullable().references('exports.id');
    t.text('object_key').notNullable();
    t.text('table_name').notNullable();
    t.integer('part_no').notNullable();
    t.bigInteger('rows').notNullable();
    t.bigInteger('bytes').notNullable();
    t.text('sha256').notNullable();
    t.text('crc32c').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Keyed by object so a retried activity re-records the same row instead of adding one.
    t.primary(['export_id', 'object_key']);
    // Two objects claiming the same part of a table is a bug in the writer, not a retry.
    t.unique(['export_id', 'table_name', 'part_no']);
  });
  await knex.raw(`
    alter table export_files
      add constraint export_files_sha256_hex check (sha256 ~ '^[0-9a-f]{64}$'),
      add constraint export_files_counts_non_negative check (part_no >= 0 and rows >= 0 and bytes >= 0)
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('export_files');
  await knex.schema.dropTable('exports');
}
