/**
 * Every page's Content-Security-Policy: no script may run, styles only from the console, forms
 * only to it, no framing: an injected tag can neither run nor send a form elsewhere.
 */
export const STRICT_POLICY = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * A page that follows a rollback's progress: the same, plus scripts from the console itself
 * (its one file, /progress.js; still no inline script) and connections back to it (the event
 * stream). Every other page keeps the strict one.
 */
export const FOLLOWING_POLICY = `${STRICT_POLICY}; script-src 'self'; connect-src 'self'`;
