import { z } from 'zod';

/** trackWorkflow's input: start (`track`) or stop (`untrack`) recording changes to tables of a source. */
export const trackInputSchema = z.object({
  source: z.string().min(1),
  targets: z.array(z.string().min(1)).min(1),
  change: z.enum(['track', 'untrack']),
  /** A claim: the worker records the verified subject instead, and refuses a claim that differs. */
  requestedBy: z.string().min(1).optional(),
});
export type TrackRequest = z.input<typeof trackInputSchema>;
