import { randomUUID } from 'node:crypto';
import fs from 'node:fs';

/**
 * Writes `content` to `file` (mode 0600) only if no such file exists, atomically: the content
 * goes to a temporary file beside it, which is then hard-linked into place. A reader never sees
 * a half-written file (as it could with `flag: 'wx'`, where the name exists before its bytes),
 * and when two processes create it at once the first link wins whole: a key or keyring is never
 * a mix of two. Returns whether this call created it.
 */
export function writeFileOnce(file: string, content: string): boolean {
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  fs.writeFileSync(temp, content, { mode: 0o600 });
  try {
    fs.linkSync(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}
