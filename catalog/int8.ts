import { z } from 'zod';

/**
 * A PostgreSQL bigint as a JS number. node-postgres returns int8 as a string (it may exceed
 * 2^53); row counts, byte counts and ledger sequence numbers never will, and a value that did
 * must fail loudly rather than round.
 */
export const int8 = z
  .union([z.number().int(), z.string().regex(/^-?\d+$/)])
  .transform(Number)
  .refine(Number.isSafeInteger, 'a bigint beyond 2^53');
