import type { Knex } from 'knex';

/**
 * One data key per encrypted export, stored only wrapped by a key-encryption key
 * (docs/security.md). `wrapped_key` is nulled by crypto-shredding; `manifest_mac`
 * authenticates the manifest under the data key, so a manifest edited and re-hashed
 * without the key is refused.
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('export_keys')) return;
  await knex.schema.createTable('export_keys', (t) => {
    t.text('export_id').primary();
    t.text('scheme').notNullable();
    t.text('provider').notNullable();
    t.text('key_id').notNullable();
    t.binary('wrapped_key');
    t.text('manifest_mac');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('rewrapped_at', { useTz: true });
    t.timestamp('destroyed_at', { useTz: true });
    t.text('destroyed_by');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('export_keys');
}
