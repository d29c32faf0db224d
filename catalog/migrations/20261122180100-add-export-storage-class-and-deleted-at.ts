import type { Knex } from 'knex';

/**
 * What retention needs on each export row: the GCS storage class its objects were last moved
 * to (null = never tiered: the bucket's default class, or a folder, which has no classes), and
 * when retention deleted it. Deleted rows stay: the planner follows delta chains through them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('exports', (t) => {
    t.text('storage_class');
    t.timestamp('deleted_at', { useTz: true });
  });
  await knex.raw(`
    alter table exports
      add constraint exports_storage_class_known check (storage_class in ('STANDARD', 'NEARLINE', 'COLDLINE', 'ARCHIVE'))
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table exports drop constraint exports_storage_class_known');
  await knex.schema.alterTable('exports', (t) => {
    t.dropColumn('deleted_at');
    t.dropColumn('storage_class');
  });
}
