import { z } from 'zod';

/** `keys rotate`: a new key-encryption key made current, and every live data key re-wrapped under it. */
export const rotateKeysInputSchema = z.object({
  /** Names this rotation: a retried activity finds its own new key and ledger entry instead of adding more. */
  rotationId: z.string().min(1).max(200),
  requestedBy: z.string().min(1).default('unknown'),
});
export type RotateKeysInput = z.infer<typeof rotateKeysInputSchema>;
export type RotateKeysRequest = z.input<typeof rotateKeysInputSchema>;

/** What a rotation did: key ids and export ids only, never a key. */
export interface RotateKeysOutcome {
  readonly keyId: string;
  readonly rewrapped: readonly { readonly exportId: string; readonly from: string; readonly to: string }[];
}

export const rotateKeysWorkflowId = (runTag: string) => `keys-rotate-${runTag}`;
