import { listVerificationCandidates } from '../../catalog/verification-repo';
import { pickExportsToVerify, type VerificationPick } from '../../core/verification/pick-exports';
import type { VerificationLevel } from '../../core/verification/verification-level';
import type { ActivityDeps } from '../deps';

export function createPickExportsActivity(deps: ActivityDeps) {
  /** The exports a scheduled verification reads now: see pickExportsToVerify. */
  return async function pickExportsForVerification(input: { readonly level: VerificationLevel; readonly sampleOlder: number }): Promise<VerificationPick> {
    return pickExportsToVerify(await listVerificationCandidates(deps.catalog, input.level), input.level, input.sampleOlder);
  };
}
