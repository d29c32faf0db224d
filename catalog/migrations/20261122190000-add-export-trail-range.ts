import type { Knex } from 'knex';

/**
 * Where each export stands in its source's change trail, so chains of incremental exports can
 * be checked for gaps and any point in time resolved to a chain without reading manifests.
 *
 * - A full export: `trail_to_position`/`trail_to_hash` is the sealed head taken just before its
 *   snapshot (null when the source has no trail); entries after it may or may not be in the
 *   snapshot, which its `snapshot.txidSnapshot` decides.
 * - An incremental export: it holds the entries in (`trail_from_position`, `trail_to_position`],
 *   chained from `trail_from_hash` to `trail_to_hash`.
 * - `as_of`: the moment the export's data reflects (a full export's snapshot, an incremental
 *   export's sealing).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('exports', (t) => {
    t.bigInteger('trail_from_position');
    t.text('trail_from_hash');
    t.bigInteger('trail_to_position');
    t.text('trail_to_hash');
    t.timestamp('as_of', { useTz: true });
    t.index(['source', 'as_of']);
    t.index(['parent_export_id']);
  });
  await knex.raw(`
    alter table exports
      add constraint exports_trail_range_ordered check (trail_from_position is null or trail_to_position >= trail_from_position),
      add constraint exports_trail_hashes_hex check (trail_from_hash ~ '^[0-9a-f]{64}$' and trail_to_hash ~ '^[0-9a-f]{64}$')
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table exports drop constraint exports_trail_range_ordered, drop constraint exports_trail_hashes_hex');
  await knex.schema.alterTable('exports', (t) => {
    t.dropIndex(['source', 'as_of']);
    t.dropIndex(['parent_export_id']);
    t.dropColumns('trail_from_position', 'trail_from_hash', 'trail_to_position', 'trail_to_hash', 'as_of');
  });
}
