/** PostgreSQL's longest identifier, in bytes (NAMEDATALEN - 1); a longer name is cut without warning. */
export const MAX_IDENTIFIER_BYTES = 63;

/** UTF-8 length without Buffer or TextEncoder: workflows import this module too. */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
