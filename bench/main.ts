/**
 * `npm run bench` (scripts/bench.sh runs this after set-up and `stack up`):
 *   node --import tsx bench/main.ts [--rows 1000000] [--rounds 3] [--only export,restore,...] [--zstd-level N] [--profile]
 *
 * Times restorepoint's export and restore against PostgreSQL's own tools on the same
 * deterministic table, in rounds whose order rotates so that machine drift hits every
 * contender alike, and reports medians, the ratios the benchmark issue sets targets for
 * (printed last), and bench/results/<time>.json with every raw figure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectClient } from '../client/connect';
import { loadConfig } from '../config/load';
import { configSchema } from '../config/schema';
import { readStackState } from '../stack/state';
import { postgresClient } from '../stack/tools';
import { folderDestination, type BenchContext } from './bench-context';
import { contenders, type Contender, type Group } from './contenders';
import { BENCH_TABLE, prepareDatabases, withClient } from './dataset';
import { incrementalContenders, incrementalExportAvailable } from './incremental';
import { describeMachine } from './machine';
import { medianOf, type Measurement } from './measurement';
import { computeRatios, formatRatios, formatTable } from './report';
import { timedCommand } from './timed-command';
import { WorkerProcess } from './worker-process';
import { startExport } from '../client/exports';
import { issueLocalToken, localIdentityConfig } from '../identity/local-issuer';

const GROUPS: readonly Group[] = ['export', 'restore', 'parallel', 'latency', 'memory', 'pagila', 'incremental', 'split', 'encryption', 'binary'];

interface Options {
  readonly rows: number;
  readonly rounds: number;
  readonly groups: readonly Group[];
  readonly profile: boolean;
  /** The worker's `export.zstdLevel`; absent means the configured default. */
  readonly zstdLevel?: number;
  /** Contender ids left out (e.g. `rp_export_gcs`, the slowest, when only the folder path is being compared). */
  readonly skip: readonly string[];
}

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run bench -- [--rows N] [--rounds N] [--only ${GROUPS.join(',')}] [--zstd-level N] [--skip id,...] [--profile]\n`);
  process.exit(2);
}

function parseOptions(argv: readonly string[]): Options {
  let rows = 1_000_000;
  let rounds = 3;
  let groups: readonly Group[] = GROUPS;
  let profile = false;
  let zstdLevel: number | undefined;
  let skip: readonly string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i]!;
    const value = () => argv[++i] ?? usage(`${flag} needs a value`);
    if (flag === '--rows') rows = Number(value());
    else if (flag === '--rounds') rounds = Number(value());
    else if (flag === '--only') groups = value().split(',') as Group[];
    else if (flag === '--profile') profile = true;
    else if (flag === '--zstd-level') zstdLevel = Number(value());
    else if (flag === '--skip') skip = value().split(',');
    else if (flag === '--help' || flag === '-h') usage('restorepoint benchmark');
    else usage(`unknown option ${flag}`);
  }
  if (!Number.isInteger(rows) || rows < 1000) usage('--rows must be an integer >= 1000');
  if (!Number.isInteger(rounds) || rounds < 1) usage('--rounds must be a positive integer');
  const unknown = groups.filter((g) => !GROUPS.includes(g));
  if (unknown.length) usage(`unknown group(s) ${unknown.join(', ')}`);
  if (zstdLevel !== undefined && !(Number.isInteger(zstdLevel) && zstdLevel >= 1 && zstdLevel <= 19)) usage('--zstd-level must be 1..19');
  return { rows, rounds, groups, profile, zstdLevel, skip };
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** Each round starts one contender later, so none always runs first (cold) or last. */
function roundOrder<T>(list: readonly T[], round: number): T[] {
  const shift = round % list.length;
  return [...list.slice(shift), ...list.slice(0, shift)];
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const stack = readStackState();
  if (!stack) throw new Error('no local stack: run `npx restorepoint stack up` (scripts/bench.sh does)');
  const databases = await prepareDatabases(stack.postgres.adminUrl, options.rows, log);
  const serverVersion = await withClient(databases.source, async (c) => (await c.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v);
  const machine = describeMachine(serverVersion);
  log(`${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memTotalMb} MB RAM; PostgreSQL ${serverVersion}; ${options.rows.toLocaleString('en')} rows; ${options.rounds} rounds`);

  const resultsDir = path.resolve(__dirname, 'results');
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-bench-'));
  const stackIdentity = loadConfig().identity;
  const config = configSchema.parse({
    temporal: { address: stack.temporal.address, taskQueue: `bench-${process.pid}` },
    catalog: { url: databases.catalog },
    sources: {
      // Room for the split contenders' four readers beside the snapshot leader (range activities open one each, per worker).
      bench: { url: databases.source, maxConnections: 8 },
      pagila: { url: databases.pagila },
      target: { url: databases.target },
      empty_db: { url: databases.emptyDatabase },
      pagila_empty: { url: databases.pagilaEmpty },
    },
    gcs: { emulatorHost: stack.gcs.url },
    worker: { shutdownGraceSeconds: 1 },
    // As the local stack's defaults: the local issuer's keys, and the payload key the worker encrypts with.
    identity: localIdentityConfig(),
    export: options.zstdLevel ? { zstdLevel: options.zstdLevel } : {},
    // The stack's local issuer and payload key: the worker verifies callers and encrypts payloads,
    // so the bench's client must speak the same (it presents RESTOREPOINT_TOKEN or a login).
    ...(stackIdentity ? { identity: stackIdentity } : {}),
  });
  // In the project's git-ignored state folder: profiles are large and machine-specific.
  const profileDir = options.profile ? path.resolve(__dirname, '..', '.restorepoint', 'bench-profiles', String(Date.now())) : undefined;
  const worker = await WorkerProcess.start(config, { configFile: path.join(workDir, 'worker-config.json'), logFile: path.resolve(__dirname, '..', '.restorepoint', 'bench-worker.log'), cpuProfileDir: profileDir });
  // Ctrl-C must not leave the worker process (and its zstd children) running.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the worker`);
      void worker.stop().finally(() => {
        fs.rmSync(workDir, { recursive: true, force: true });
        process.exit(130);
      });
    });
  }
  // The worker authorizes every run: the benchmark acts as a local admin, as the tests do.
  const client = await connectClient(config, { tokens: async (as) => (await issueLocalToken({ subject: as ?? 'bench', roles: { '*': ['admin'] }, ttlSeconds: 3600 })).token });
  const context: BenchContext = {
    rows: options.rows,
    databases,
    worker,
    client,
    config,
    workDir,
    csvFile: path.join(workDir, `${BENCH_TABLE}.csv`),
    dumpFile: path.join(workDir, `${BENCH_TABLE}.dump`),
    restoreSourceExportId: '',
    restorePlainExportId: '',
    gcsBucket: 'restorepoint-bench',
  };

  try {
    log('writing the inputs of the restores (not timed): CSV, pg_dump, a restorepoint export');
    await timedCommand(postgresClient('psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', databases.source, '-c', `\\copy ${BENCH_TABLE} to '${context.csvFile}' (format csv)`]);
    await timedCommand(postgresClient('pg_dump'), ['-Fc', '-t', `public.${BENCH_TABLE}`, '-f', context.dumpFile, databases.source]);
    const restoreSource = await startExport(client, { source: 'bench', tables: [BENCH_TABLE], destination: folderDestination(context, 'restore-source'), requestedBy: 'bench' });
    context.restoreSourceExportId = (await restoreSource.result()).exportId;
    const restorePlain = await startExport(client, { source: 'bench', tables: [BENCH_TABLE], destination: folderDestination(context, 'restore-source-plain'), requestedBy: 'bench', encrypt: false });
    context.restorePlainExportId = (await restorePlain.result()).exportId;
    const csvBytes = fs.statSync(context.csvFile).size;
    log(`${BENCH_TABLE}: ${(csvBytes / 1024 / 1024).toFixed(1)} MB as CSV (${(csvBytes / options.rows).toFixed(0)} bytes a row)`);

    // Other work on the machine skews every figure: say how busy it was (1-minute load average).
    const loadBefore = os.loadavg()[0]!;
    const incrementalAvailable = incrementalExportAvailable();
    const list = [...contenders(), ...incrementalContenders()].filter((c) => options.groups.includes(c.group) && !options.skip.includes(c.id));
    const runs = new Map<string, Measurement[]>(list.map((c) => [c.id, []]));
    const notWorking = new Map<string, string>();
    for (let round = 0; round < options.rounds; round += 1) {
      for (const contender of roundOrder(list, round)) {
        if (notWorking.has(contender.id)) continue;
        try {
          await contender.prepare?.(context);
          const measured = await contender.run(context, round);
          runs.get(contender.id)!.push(measured);
          log(`round ${round + 1}/${options.rounds}  ${contender.label.padEnd(52)} ${(measured.wallMs / 1000).toFixed(2)} s`);
        } catch (error) {
          if (!contender.optional) throw error;
          notWorking.set(contender.id, (error as Error).message);
          log(`${contender.label}: pending (${(error as Error).message.split('\n')[0]})`);
        }
      }
    }

    const load = { before: Number(loadBefore.toFixed(2)), after: Number(os.loadavg()[0]!.toFixed(2)) };
    const medians = Object.fromEntries([...runs].filter(([id]) => !notWorking.has(id)).map(([id, r]) => [id, medianOf(r)]));
    const ratios = computeRatios(medians, incrementalAvailable);
    const stamp = new Date().toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
    const resultFile = path.join(resultsDir, `${stamp}.json`);
    fs.mkdirSync(resultsDir, { recursive: true });
    fs.writeFileSync(
      resultFile,
      `${JSON.stringify(
        {
          takenAt: new Date().toISOString(),
          machine,
          loadAverage: load,
          options,
          table: { name: BENCH_TABLE, rows: options.rows, csvBytes },
          contenders: Object.fromEntries(list.map((c) => [c.id, { label: c.label, group: c.group, runs: runs.get(c.id), median: medians[c.id] }])),
          ratios,
          incremental: !incrementalAvailable ? 'pending: exports do not take mode "incremental" yet' : notWorking.size ? `pending: ${[...notWorking.values()][0]}` : 'measured',
        },
        null,
        1,
      )}\n`,
    );
    console.log(`\n${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memTotalMb} MB RAM, ${machine.postgres}, ${machine.zstd}, Node ${machine.node}`);
    console.log(`load average (1 min) ${load.before} before the timed runs, ${load.after} after`);
    console.log(`${BENCH_TABLE}: ${options.rows.toLocaleString('en')} rows, ${(csvBytes / 1024 / 1024).toFixed(1)} MB as CSV; restorepoint at zstd level ${config.export.zstdLevel}\n`);
    console.log(formatTable(list as Contender[], medians, csvBytes, options.rounds));
    console.log(`\nraw figures: ${path.relative(process.cwd(), resultFile)}${profileDir ? `\nworker CPU profile: ${path.relative(process.cwd(), profileDir)} (written when the worker stops)` : ''}\n`);
    console.log(formatRatios(ratios));
  } finally {
    await client.close().catch(() => undefined);
    await Promise.all([...(context.scaleOut?.values() ?? [])].map((s) => s.stop()));
    await worker.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
