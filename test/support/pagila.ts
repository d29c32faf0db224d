import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { postgresClient } from '../../stack/tools';
import { scratchDatabase, type ScratchDatabase } from './stack';

import { PAGILA_DIR } from '../../fixtures';

export { PAGILA_DIR };

/** A fresh database holding Pagila's schema and data. */
export async function pagilaDatabase(prefix = 'pagila'): Promise<ScratchDatabase> {
  const db = await scratchDatabase(prefix);
  for (const file of ['pagila-schema.sql', 'pagila-data.sql']) {
    execFileSync(postgresClient('psql'), ['-q', '-v', 'ON_ERROR_STOP=1', '-d', db.url, '-f', path.join(PAGILA_DIR, file)], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  return db;
}

export { databaseFingerprint } from '../../postgres/content-fingerprint';
