/** A JSON value as JSON.parse returns it. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

/**
 * The one encoding ledger hashes are computed over: RFC 8785 (JCS) for the values JSON.parse
 * yields. Object keys are sorted by UTF-16 code units and whitespace is dropped; strings and
 * numbers are written as JSON.stringify writes them (numbers in their shortest round-trip form).
 * jsonb reorders keys and rewrites numbers (`1e2` becomes `100`), but every number JS can write
 * reads back as the same double, so an entry encodes identically before and after storage.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${value} is not representable in JSON`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const object = value as Readonly<Record<string, unknown>>;
    return `{${Object.keys(object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`)
      .join(',')}}`;
  }
  throw new TypeError(`${typeof value} is not a plain JSON value`);
}
