import fs from 'node:fs';
import { z } from 'zod';
import { RestorepointError } from '../core/errors';
import { identityPaths, localIdentityConfig } from '../identity/local-issuer';
import { redactSecrets } from '../core/redact';
import { readStackState } from '../stack/state';
import { catalogUrlFor, withDatabase } from '../stack/urls';
import { configSchema, type Config } from './schema';

/** Environment variables and the config key each one sets. */
const ENV_KEYS: ReadonlyArray<readonly [string, readonly string[], 'string' | 'number']> = [
  ['TEMPORAL_ADDRESS', ['temporal', 'address'], 'string'],
  ['TEMPORAL_NAMESPACE', ['temporal', 'namespace'], 'string'],
  ['RESTOREPOINT_TASK_QUEUE', ['temporal', 'taskQueue'], 'string'],
  ['RESTOREPOINT_CATALOG_URL', ['catalog', 'url'], 'string'],
  ['STORAGE_EMULATOR_HOST', ['gcs', 'emulatorHost'], 'string'],
  ['GCS_PROJECT_ID', ['gcs', 'projectId'], 'string'],
  ['RESTOREPOINT_WORKER_CONCURRENCY', ['worker', 'maxConcurrentActivities'], 'number'],
  ['RESTOREPOINT_EXPORT_CONCURRENCY', ['export', 'concurrency'], 'number'],
  ['RESTOREPOINT_PART_SIZE_BYTES', ['export', 'partSizeBytes'], 'number'],
  ['LOG_LEVEL', ['logLevel'], 'string'],
  ['RESTOREPOINT_LOG_LEVEL', ['logLevel'], 'string'],
  ['RESTOREPOINT_LEDGER_ANCHOR_TO', ['ledger', 'anchorTo'], 'string'],
  ['RESTOREPOINT_ENCRYPTION_PROVIDER', ['encryption', 'provider'], 'string'],
  ['RESTOREPOINT_KMS_KEY_NAME', ['encryption', 'kmsKeyName'], 'string'],
  ['RESTOREPOINT_KEYRING_FILE', ['encryption', 'keyringFile'], 'string'],
  ['RESTOREPOINT_METRICS_HOST', ['metrics', 'host'], 'string'],
  ['RESTOREPOINT_METRICS_PORT', ['metrics', 'port'], 'number'],
  ['RESTOREPOINT_ALERTS_WEBHOOK_URL', ['alerts', 'webhookUrl'], 'string'],
  ['RESTOREPOINT_ALERTS_WEBHOOK_SECRET_FILE', ['alerts', 'webhookSecretFile'], 'string'],
];

type Tree = { [key: string]: unknown };

function setPath(tree: Tree, keys: readonly string[], value: unknown): void {
  let node = tree;
  for (const key of keys.slice(0, -1)) {
    node[key] = typeof node[key] === 'object' && node[key] !== null ? node[key] : {};
    node = node[key] as Tree;
  }
  node[keys[keys.length - 1]!] = value;
}

function deepMerge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prior = out[key];
    out[key] =
      typeof value === 'object' && value !== null && !Array.isArray(value) && typeof prior === 'object' && prior !== null
        ? deepMerge(prior as Tree, value as Tree)
        : value;
  }
  return out;
}

/** Defaults that point at the local stack, when `stack up` has run. */
function stackDefaults(): Tree {
  const stack = readStackState();
  if (!stack) return {};
  return {
    temporal: { address: stack.temporal.address },
    catalog: { url: catalogUrlFor(stack.postgres.adminUrl) },
    gcs: { emulatorHost: stack.gcs.url },
    sources: { demo: { url: withDatabase(stack.postgres.adminUrl, 'restorepoint_demo') } },
    // The local issuer `stack up` creates; a config file naming a real identity provider replaces it.
    identity: localIdentityConfig(),
    // The keyed-hash key of masking profiles, created beside the payload key.
    masking: { keyFile: identityPaths.maskingKey() },
  };
}

function envOverrides(env: NodeJS.ProcessEnv): Tree {
  const tree: Tree = {};
  for (const [name, keys, kind] of ENV_KEYS) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    setPath(tree, keys, kind === 'number' && /^-?\d+$/.test(raw) ? Number(raw) : raw);
  }
  // RESTOREPOINT_SOURCE_<NAME>=postgres://... adds a named source.
  for (const [name, raw] of Object.entries(env)) {
    const match = /^RESTOREPOINT_SOURCE_([A-Z0-9_]+)$/.exec(name);
    if (match && raw) setPath(tree, ['sources', match[1]!.toLowerCase(), 'url'], raw);
  }
  return tree;
}

function describeIssue(issue: z.core.$ZodIssue, input: Tree): string {
  const key = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((unknown) => `${[...issue.path, unknown].join('.')}: unknown configuration key (misspelt, or not a setting of this version; see docs/configuration.md)`).join('\n  ');
  }
  let value: unknown = input;
  for (const part of issue.path) value = (value as Tree | undefined)?.[String(part)];
  // Connection URLs carry passwords: never echo them, wherever in the value they sit.
  const shown = /url/i.test(key) ? '<redacted>' : redactSecrets(JSON.stringify(value) ?? 'undefined');
  return `${key || '(root)'} = ${shown}: ${issue.message}`;
}

/**
 * Loads the configuration: defaults < local stack < JSON file (`RESTOREPOINT_CONFIG`) < environment.
 * Throws CONFIG_INVALID naming each bad key, its value and what was expected.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  let merged: Tree = { temporal: {}, catalog: {}, gcs: {}, worker: {}, export: {} };
  merged = deepMerge(merged, stackDefaults());
  const file = env.RESTOREPOINT_CONFIG;
  if (file) {
    let parsedFile: unknown;
    try {
      parsedFile = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new RestorepointError('CONFIG_INVALID', `cannot read config file ${file}: ${(error as Error).message}`, { file });
    }
    merged = deepMerge(merged, parsedFile as Tree);
    // An identity provider in the file replaces the local issuer whole: its keys are not to be mixed.
    if (typeof (parsedFile as Tree).identity === 'object') merged.identity = (parsedFile as Tree).identity;
  }
  merged = deepMerge(merged, envOverrides(env));
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => describeIssue(issue, merged));
    throw new RestorepointError('CONFIG_INVALID', `invalid configuration:\n  ${lines.join('\n  ')}`, { issues: lines });
  }
  return result.data;
}
