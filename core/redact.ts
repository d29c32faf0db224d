/**
 * The one place secrets are taken out of text before it is shown, logged, written to the
 * ledger or sent to workflow history: the password of a connection URL
 * (`postgres://user:secret@host` → `postgres://user:***@host`), and `password=…` as libpq
 * keyword strings and URL query parameters write it. Typed errors pass their messages through
 * here (core/errors.ts), and so do the CLI's report of any error and the activity failures
 * that reach history and the worker's log.
 *
 * Pure module: imported by workflows, so no Node.js imports.
 */

export const REDACTED = '***';

// scheme://user:password@host — up to the last "@" before whitespace or a quote, since a
// careless password may hold an unencoded "@" or "/" (over-redacting beats leaking).
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^\s"']*@/gi;
// password=secret, password = 'se cret', ?password=secret&…
const KEYWORD_PASSWORD = /(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&'"]+)/gi;

/** `text` with every connection password replaced by `***`. */
export function redactSecrets(text: string): string {
  return text.replace(URL_PASSWORD, `$1${REDACTED}@`).replace(KEYWORD_PASSWORD, `$1${REDACTED}`);
}
