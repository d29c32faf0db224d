import { z } from 'zod';
import type { RollbackInput } from './rollback-input';

/**
 * Per-source switches for the risky recovery flows (config `sources.<name>.features`). Each is
 * on unless switched off; the worker enforces them when a rollback is registered, so a client
 * with another config cannot get round them. Pure module: workflows may import it.
 */
export const recoveryFeaturesSchema = z
  .object({
    /** Rollbacks that change live data: to an export, to a point in time, and reverts. Side by side stays allowed. */
    inPlaceRollback: z.boolean().default(true),
    /** Targeted reverts of trail entries (`restorepoint revert`). */
    revert: z.boolean().default(true),
    /** Rollbacks to a point in time (`rollback start --at`), in place or side by side. */
    pointInTimeRollback: z.boolean().default(true),
  })
  .strict();
export type RecoveryFeatures = z.output<typeof recoveryFeaturesSchema>;
export type RecoveryFeature = keyof RecoveryFeatures;

/** Every flow allowed: what a source without a `features` key gets. */
export const ALL_RECOVERY_FEATURES: RecoveryFeatures = recoveryFeaturesSchema.parse({});

/** What each switch is called in messages. */
export const RECOVERY_FEATURE_LABELS: Readonly<Record<RecoveryFeature, string>> = {
  inPlaceRollback: 'in-place rollback',
  revert: 'revert',
  pointInTimeRollback: 'point-in-time rollback',
};

/**
 * The switches, among those off, that a rollback needs: empty when it may run. An `undo` is
 * always allowed: it only puts back the safety snapshot of a rollback that already ran, and
 * switching a flow off after a bad rollback must not also take away its way back.
 */
export function featuresRefusing(features: RecoveryFeatures, input: Pick<RollbackInput, 'mode' | 'target' | 'undoOf'>): RecoveryFeature[] {
  if (input.undoOf !== undefined) return [];
  const needed: RecoveryFeature[] = [];
  if (input.mode === 'in-place') needed.push('inPlaceRollback');
  if ('trail' in input.target) needed.push('revert');
  if ('at' in input.target) needed.push('pointInTimeRollback');
  return needed.filter((feature) => !features[feature]);
}
