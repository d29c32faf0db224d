import { ApplicationFailure, CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { trackInputSchema, type TrackRequest } from '../core/track-input';
import type { TrackableTable } from '../trail/resolve-targets';
import { shortActivity } from './activity-profiles';
import { authorizeStart, type StartAuth } from './authorize-step';

const steps = proxyActivities<Activities>(shortActivity);

/** The ledger subject for everything done to a source's trail (as the CLI's trail commands use). */
const trailSubject = (source: string) => `trail:${source}`;

/**
 * Starts or stops recording changes to tables of a source, for a verified caller holding
 * `trail.track` / `trail.untrack` on it; `trail.tracked` / `trail.untracked` in the ledger
 * under that subject, or the failure.
 */
export async function trackWorkflow(request: TrackRequest, auth?: StartAuth): Promise<readonly TrackableTable[]> {
  const parsed = trackInputSchema.safeParse(request);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid track input: ${parsed.error.message}`, 'INPUT_INVALID');
  const input = parsed.data;
  const subject = trailSubject(input.source);
  const caller = await authorizeStart(auth, { permission: input.change === 'track' ? 'trail.track' : 'trail.untrack', resource: input.source, subject }, 'authorize-v1');
  const action = input.change === 'track' ? 'trail.tracked' : 'trail.untracked';
  try {
    const tables = await steps.changeTracking({ source: input.source, targets: input.targets, change: input.change });
    await steps.recordLedger({ actor: caller.subject, action, subject, outcome: 'ok', details: { tables: tables.map((t) => `${t.schema}.${t.name}`) } });
    return tables;
  } catch (error) {
    const failure = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const code = (failure as { type?: string } | null)?.type ?? (failure as Error).name;
    await CancellationScope.nonCancellable(() =>
      steps.recordLedger({ actor: caller.subject, action, subject, outcome: 'failed', details: { error: code, message: (failure as Error).message } }),
    );
    throw error;
  }
}
