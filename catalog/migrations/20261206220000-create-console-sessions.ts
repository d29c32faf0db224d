import type { Knex } from 'knex';

/**
 * The operator console's sessions (console/session-store.ts), so a console restart keeps people
 * signed in. `id_hash` is the SHA-256 of the cookie's id: the catalog never holds an id a
 * browser could present. `sealed` is the session (its bearer token, CSRF token, wizard draft)
 * encrypted under the console's data key, bound to `id_hash`. `console_keys` holds that data
 * key, wrapped by the key provider like an export's.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('console_sessions', (t) => {
    t.text('id_hash').primary();
    t.binary('sealed').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('last_seen', { useTz: true }).notNullable();
    t.index(['last_seen']);
  });
  await knex.schema.createTable('console_keys', (t) => {
    t.text('purpose').primary();
    t.text('provider').notNullable();
    t.text('key_id').notNullable();
    t.binary('wrapped_key').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('console_sessions');
  await knex.schema.dropTable('console_keys');
}
