import { Command, CommanderError } from 'commander';
import { registerExportCommands } from './commands/export';
import { registerExportsCommands } from './commands/exports';
import { registerKeysCommands } from './commands/keys';
import { registerRestoreCommand } from './commands/restore';
import { registerStackCommands } from './commands/stack';
import { registerCatalogCommands } from './commands/catalog';
import { registerLedgerCommands } from './commands/ledger';
import { registerTrailCommands } from './commands/trail';
import { registerRestorePointsCommand } from './commands/restore-points';
import { registerReconstructCommand } from './commands/reconstruct';
import { registerDoctorCommand } from './commands/doctor';
import { registerRollbackCommands } from './commands/rollback';
import { registerVerifyCommands } from './commands/verify';
import { registerHoldCommands } from './commands/hold';
import { registerRetentionCommands } from './commands/retention';
import { registerScheduleCommands } from './commands/schedule';
import { registerIdentityCommands } from './commands/identity';
import { registerCodecServerCommand } from './commands/codec-server';
import { registerAlertsCommands } from './commands/alerts';
import { registerConsoleCommand } from './commands/console';
import { toolVersion } from '../../core/tool-version';
import { EXIT } from './output';

const program = new Command()
  .name('restorepoint')
  .description('Verified exports, restores and approved rollbacks of PostgreSQL app data, on Temporal.')
  .version(toolVersion)
  .showHelpAfterError()
  .exitOverride();

registerStackCommands(program);
registerExportCommands(program);
registerExportsCommands(program);
registerKeysCommands(program);
registerRestoreCommand(program);
registerCatalogCommands(program);
registerLedgerCommands(program);
registerTrailCommands(program);
registerRestorePointsCommand(program);
registerReconstructCommand(program);
registerDoctorCommand(program);
registerRollbackCommands(program);
registerVerifyCommands(program);
registerHoldCommands(program);
registerRetentionCommands(program);
registerScheduleCommands(program);
registerIdentityCommands(program);
registerCodecServerCommand(program);
registerAlertsCommands(program);
registerConsoleCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // --help and --version are not failures; everything else commander rejects is bad usage.
    process.exitCode = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code) ? EXIT.ok : EXIT.usage;
    return;
  }
  process.stderr.write(`restorepoint: ${(error as Error).message}\n`);
  process.exitCode = EXIT.failed;
});
