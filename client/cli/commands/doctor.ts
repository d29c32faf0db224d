import type { Command } from 'commander';
import { RECOVERY_FEATURE_LABELS, type RecoveryFeature, type RecoveryFeatures } from '../../../core/rollback/recovery-features';
import { runHealthCheck } from '../../health';
import { withClient } from '../context';
import { action, emit } from '../output';
import { currentUser } from './export';

/** e.g. `in-place rollback on, revert OFF, point-in-time rollback on`. */
function featureLine(features: RecoveryFeatures): string {
  return (Object.keys(RECOVERY_FEATURE_LABELS) as RecoveryFeature[]).map((f) => `${RECOVERY_FEATURE_LABELS[f]} ${features[f] ? 'on' : 'OFF'}`).join(', ');
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('prove the deployment works end to end: a worker runs a workflow that writes the ledger and writes, reads back and deletes an object')
    .option('--to <destination>', 'the store to probe (gs://bucket/prefix or file:///dir)', 'gs://restorepoint-demo/doctor')
    .option('--requested-by <who>', 'recorded in the ledger', currentUser())
    .option('--json', 'print JSON')
    .action(
      action(async (o: { to: string; requestedBy: string; json?: boolean }) =>
        withClient(async (client) => {
          const result = await runHealthCheck(client, { destination: o.to, requestedBy: o.requestedBy });
          emit(o, { ok: true, ...result }, () =>
            [
              `worker ok; ledger entries ${result.ledgerSeqs.join(', ')} written; ${result.storage.destination}: ${result.storage.bytes} bytes written, read back identical and deleted in ${result.storage.roundTripMs} ms`,
              ...Object.entries(result.sources ?? {}).map(([name, features]) => `source ${name}: ${featureLine(features)}`),
            ].join('\n'),
          );
        }),
      ),
    );
}
