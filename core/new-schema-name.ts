import { z } from 'zod';
import { MAX_IDENTIFIER_BYTES, utf8Bytes } from './identifier-bytes';

/**
 * A schema restorepoint creates for copies (restore and reconstruct `--schema`, a side-by-side
 * rollback): any name PostgreSQL keeps as written — capitals, spaces, dots, quotes, unicode, up
 * to 63 bytes — because every statement quotes it. Refused: a longer name (PostgreSQL would
 * silently cut it, so the copy would land elsewhere), a NUL, and the `pg_` prefix PostgreSQL
 * reserves for system schemas.
 */
export const newSchemaNameSchema = z
  .string()
  .min(1)
  .refine((name) => utf8Bytes(name) <= MAX_IDENTIFIER_BYTES, `at most ${MAX_IDENTIFIER_BYTES} bytes (PostgreSQL would cut a longer name)`)
  .refine((name) => !name.includes('\u0000'), 'no NUL character')
  .refine((name) => !name.startsWith('pg_'), 'the pg_ prefix is reserved for system schemas');
