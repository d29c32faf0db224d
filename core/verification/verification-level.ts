import { z } from 'zod';

/** How deep a verification reads, cheapest first: each level does everything the one before does. */
export const VERIFICATION_LEVELS = ['checksums', 'decode', 'restore'] as const;
export const verificationLevelSchema = z.enum(VERIFICATION_LEVELS);
export type VerificationLevel = z.infer<typeof verificationLevelSchema>;

/** True when a verification at `done` proves at least what one at `wanted` would. */
export function levelCovers(done: VerificationLevel, wanted: VerificationLevel): boolean {
  return VERIFICATION_LEVELS.indexOf(done) >= VERIFICATION_LEVELS.indexOf(wanted);
}

/** The deeper of two levels. */
export function deeperLevel(a: VerificationLevel, b: VerificationLevel): VerificationLevel {
  return levelCovers(a, b) ? a : b;
}
