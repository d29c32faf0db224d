import path from 'node:path';

/** The project root: the folder holding package.json. */
export const projectRoot = path.resolve(__dirname, '..');

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
