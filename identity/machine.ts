import os from 'node:os';
import type { MachineIdentity } from './principal';

/** This process's host and build (package version, plus RESTOREPOINT_BUILD when a deployment sets it, e.g. a commit). */
export function machineIdentity(): MachineIdentity {
  const version = (require('../package.json') as { version: string }).version;
  const build = process.env.RESTOREPOINT_BUILD;
  return { host: os.hostname(), build: build ? `${version}+${build}` : version };
}
