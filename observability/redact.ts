import { redactSecrets } from '../core/redact';

/** Beyond connection passwords (core/redact.ts): `token=`/`secret=`/`api_key=` values and HTTP credentials inside text. */
const KEYWORD_SECRET = /\b(passwd|pwd|token|secret|api[_-]?key)(\s*[=:]\s*)('[^']*'|"[^"]*"|[^\s,;&]+)/gi;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/-]+=*/g;

/** Keys whose whole value is a secret, wherever they occur in a log record. */
export const SECRET_KEYS = ['password', 'token', 'accessToken', 'refreshToken', 'idToken', 'secret', 'clientSecret', 'apiKey', 'authorization', 'cookie'];

/** `text` with every password, token and credential it carries replaced by `***`. */
export function scrubSecrets(text: string): string {
  return redactSecrets(text).replace(KEYWORD_SECRET, '$1$2***').replace(BEARER, '$1 ***');
}

/** A copy of `value` with every string scrubbed and every secret key's value replaced. */
export function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return scrubDeep(describeError(value), depth + 1);
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = SECRET_KEYS.some((k) => k.toLowerCase() === key.toLowerCase()) ? '***' : scrubDeep(v, depth + 1);
  return out;
}

/** An error as plain data (its own fields, such as `code`, kept; the cause chain followed). */
function describeError(error: Error): Record<string, unknown> {
  const fields = { ...(error as unknown as Record<string, unknown>) };
  return { ...fields, type: error.name, message: error.message, stack: error.stack, ...(error.cause !== undefined ? { cause: error.cause } : {}) };
}
