import type { Knex } from 'knex';
import { openCatalog } from '../../catalog/catalog-db';
import { upsertExport, markExport } from '../../catalog/exports-repo';
import { objectNames } from '../../core/object-names';
import type { ObjectStore } from '../../storage/object-store';
import { exportWorld, sql, type ExportWorld } from '../export/harness';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';

/** A small source, a worker and an open catalog, for retention runs over real exports. */
export interface RetentionWorld {
  readonly exports: ExportWorld;
  readonly catalog: Knex;
  /** Exports the source with the real export workflow and returns the export id. */
  exportTo(destination: string): Promise<string>;
  /** Moves an export's creation time `days` back, as if it had been taken then. */
  age(exportId: string, days: number): Promise<void>;
  /** Records a failed export that left an unrecorded partial object behind, as a crashed export does. */
  failedExportWithDebris(exportId: string, destination: string): Promise<void>;
  /** Every object key under an export's prefix. */
  objectsOf(exportId: string, destination: string): Promise<string[]>;
  close(): Promise<void>;
}

/** The source is a small `orders` table unless `setup` gives the statements that build it. */
export async function retentionWorld(setup: readonly string[] = ['create table orders (id int primary key, item text not null)', "insert into orders select g, 'item ' || g from generate_series(1, 200) g"]): Promise<RetentionWorld> {
  const source: ScratchDatabase = await scratchDatabase('retention_src');
  await sql(source.url, ...setup);
  const exports = await exportWorld({ shop: source.url });
  const catalog = openCatalog(exports.world.config.catalog.url);
  const store = (destination: string): ObjectStore => exports.store(destination);
  return {
    exports,
    catalog,
    async exportTo(destination) {
      return (await exports.exportNow({ source: 'shop', destination })).exportId;
    },
    async age(exportId, days) {
      await catalog('exports').where({ id: exportId }).update({ created_at: catalog.raw(`now() - make_interval(secs => ?)`, [days * 86400]) });
    },
    async failedExportWithDebris(exportId, destination) {
      await upsertExport(catalog, { id: exportId, mode: 'full', source: 'shop', destination, format: 'csv', compression: 'zstd', requestedBy: 'test' });
      await markExport(catalog, exportId, 'running');
      await markExport(catalog, exportId, 'failed', { error: 'worker lost' });
      await store(destination).putBytes(`${objectNames.exportRoot(exportId)}/data/public.orders/part-00000.csv.zst`, Buffer.from('partial'));
    },
    async objectsOf(exportId, destination) {
      const keys: string[] = [];
      for await (const o of store(destination).list(`${objectNames.exportRoot(exportId)}/`)) keys.push(o.key);
      return keys;
    },
    async close() {
      await catalog.destroy();
      await exports.close();
      await source.drop();
    },
  };
}
