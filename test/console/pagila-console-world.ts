import type { Config } from '../../config/schema';
import { pagilaDatabase } from '../support/pagila';
import type { ScratchDatabase } from '../support/stack';
import { startRollbackWorld, type RollbackWorld } from '../rollback/rollback-world';
import { startConsoleBrowser, type ConsoleBrowser } from './console-world';

/** A Pagila source with one export, a rollback world serving it, and the console in a browser: what the wizard tests start from. */
export interface PagilaConsole {
  readonly db: ScratchDatabase;
  readonly rw: RollbackWorld;
  readonly exportId: string;
  readonly cb: ConsoleBrowser;
  close(): Promise<void>;
}

/**
 * `consoleConfig` is laid over the world's config for the console only (e.g. a retention policy
 * it reads); a function gets the world's config first (e.g. to give its source an RPO target).
 */
export async function startPagilaConsole(name: string, consoleConfig: Partial<Config> | ((config: Config) => Partial<Config>) = {}): Promise<PagilaConsole> {
  const db = await pagilaDatabase(name);
  let rw: RollbackWorld | undefined;
  let cb: ConsoleBrowser | undefined;
  const close = async () => {
    await cb?.close();
    await rw?.close();
    await db.drop();
  };
  try {
    rw = await startRollbackWorld(db.url);
    const exportId = await rw.exportApp();
    const over = typeof consoleConfig === 'function' ? consoleConfig(rw.world.config) : consoleConfig;
    cb = await startConsoleBrowser({ ...rw.world.config, ...over });
    return { db, rw, exportId, cb, close };
  } catch (error) {
    await close();
    throw error;
  }
}
