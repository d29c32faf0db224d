import type { Knex } from 'knex';

/**
 * `masking`: set on a masked export (`export --mask`, docs/masking.md) to its profile and the
 * digest of its rules; null otherwise. Such an export is also `partial`: never a restore point.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('exports', (t) => {
    t.jsonb('masking');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('exports', (t) => {
    t.dropColumn('masking');
  });
}
