import { z } from 'zod';

/**
 * A source or restore target as workflow inputs name it: a configured connection's name, or
 * on the local stack `local:<database>`. Never a connection URL — a URL given where a name
 * belongs is refused without being repeated, so its password reaches no error, ledger or history.
 */
export const sourceNameSchema = z
  .string()
  .regex(/^([a-z][a-z0-9_-]*|local:[a-z_][a-z0-9_]*)$/, 'a configured source name (or local:<database>), never a connection URL; the value is not repeated');
