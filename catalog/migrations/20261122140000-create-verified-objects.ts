import type { Knex } from 'knex';

/**
 * Incremental verification: per stored object, what the store reported when it was last read
 * back and found as recorded, and at which level. A later run skips the object while the store
 * reports the same size, generation, modification time and checksum metadata, and the catalog the same sha256.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('verified_objects', (t) => {
    t.text('export_id').notNullable().references('exports.id').onDelete('cascade');
    t.text('object_key').notNullable();
    t.text('level').notNullable();
    t.bigInteger('size').notNullable();
    // Any of these may be absent for a store that does not report it; absent matches only absent.
    t.text('generation');
    // A local folder's sidecar outlives an in-place edit of the data file; its mtime does not.
    t.text('updated');
    t.text('crc32c');
    t.text('md5');
    t.text('expected_sha256').notNullable();
    t.text('run_id').notNullable().references('verification_runs.id').onDelete('cascade');
    t.timestamp('verified_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['export_id', 'object_key']);
  });
  await knex.raw(`
    alter table verified_objects
      add constraint verified_objects_level_known check (level in ('checksums', 'decode', 'restore')),
      add constraint verified_objects_size_non_negative check (size >= 0)
  `);
  await knex.schema.alterTable('verification_runs', (t) => {
    // Whether unchanged objects were skipped, so a report says what was actually read.
    t.boolean('incremental').notNullable().defaultTo(false);
    t.index(['status']);
  });
  // `errored`: the run could not finish (a store or target that never answered); it proves nothing either way.
  await knex.raw(`
    alter table verification_runs
      drop constraint verification_runs_status_known,
      add constraint verification_runs_status_known check (status in ('running', 'passed', 'failed', 'errored'))
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table verification_runs
      drop constraint verification_runs_status_known,
      add constraint verification_runs_status_known check (status in ('running', 'passed', 'failed'))
  `);
  await knex.schema.alterTable('verification_runs', (t) => {
    t.dropIndex(['status']);
    t.dropColumn('incremental');
  });
  await knex.schema.dropTable('verified_objects');
}
