import { createHash } from 'node:crypto';
import { RestorepointError } from '../../core/errors';

const PREFIX = 'rp_verify_';

/** The scratch schema of one verification run: deterministic, so a retried step finds it. */
export function scratchSchemaFor(runId: string): string {
  return `${PREFIX}${createHash('sha256').update(runId).digest('hex').slice(0, 20)}`;
}

/** Refuses, before any DROP, a schema that is not a verification's scratch copy. */
export function assertScratchSchema(schema: string): void {
  if (!/^rp_verify_[0-9a-f]{20}$/.test(schema)) {
    throw new RestorepointError('INPUT_INVALID', `"${schema}" is not a verification scratch schema (${PREFIX}…); refusing to drop it`, { schema });
  }
}
