import os from 'node:os';
import { toolVersion } from '../core/tool-version';
import type { MachineIdentity } from './principal';

/**
 * This process's host and build (restorepoint's version, plus RESTOREPOINT_BUILD when a
 * deployment sets it, e.g. a commit). The version comes from core/tool-version rather than
 * package.json, which is not beside the built files in dist/.
 */
export function machineIdentity(): MachineIdentity {
  const build = process.env.RESTOREPOINT_BUILD;
  return { host: os.hostname(), build: build ? `${toolVersion}+${build}` : toolVersion };
}
