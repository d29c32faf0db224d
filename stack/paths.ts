import fs from 'node:fs';
import path from 'node:path';

/**
 * The project root: the nearest folder above this file holding package.json — one level up
 * from source (`stack/`), two from the build (`dist/stack/`), so a built worker and the CLI
 * from source share one state folder, one local issuer and one payload key.
 */
export const projectRoot = findProjectRoot(path.resolve(__dirname, '..'));

function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}

/** All local state (tools, PostgreSQL cluster, object store, logs) lives in this one git-ignored folder. */
export function stateHome(): string {
  return process.env.RESTOREPOINT_HOME ?? path.join(projectRoot, '.restorepoint');
}

export const stackPaths = {
  stateFile: () => path.join(stateHome(), 'stack.json'),
  toolsBin: () => path.join(stateHome(), 'tools', 'bin'),
  postgresData: () => path.join(stateHome(), 'postgres'),
  gcsRoot: () => path.join(stateHome(), 'gcs'),
  temporalDb: () => path.join(stateHome(), 'temporal.sqlite'),
  logs: () => path.join(stateHome(), 'logs'),
};
