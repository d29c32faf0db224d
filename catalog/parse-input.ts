import type { z } from 'zod';
import { RestorepointError } from '../core/errors';

/** Validates a caller's input at the catalog's edge; a bad one is INPUT_INVALID, naming each field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new RestorepointError('INPUT_INVALID', `invalid ${what}: ${issues.join('; ')}`, { issues });
}
