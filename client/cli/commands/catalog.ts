import type { Command } from 'commander';
import { withCatalog } from '../../../catalog/catalog-db';
import { loadConfig } from '../../../config/load';
import { action, emit } from '../output';

export function registerCatalogCommands(program: Command): void {
  const catalog = program.command('catalog').description('the catalog database of exports, verifications and the audit ledger');

  catalog
    .command('migrate')
    .description('bring the catalog schema up to date (every command that uses the catalog also does this first)')
    .option('--json', 'print JSON')
    .action(
      action(async (options: { json?: boolean }) => {
        const { applied } = await withCatalog(loadConfig().catalog.url, async (_db, report) => report);
        emit(options, { ok: true, applied }, () => (applied.length === 0 ? 'catalog is up to date' : `applied:\n  ${applied.join('\n  ')}`));
      }),
    );
}
