import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { runCli, worldCliEnv } from '../support/cli';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { startTestWorld, type TestWorld } from '../support/temporal';
import { WORKER_NODE_FLAGS } from '../../worker/node-flags';

/**
 * The package as a user gets it: `npm run build` output only, resolved through the `exports` map
 * as `restorepoint/client` from a folder of its own, run by plain `node` (no tsx). The worker
 * runs from the same build, as the Docker image runs it.
 */
const ROOT = path.join(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  exports: Record<string, unknown>;
};

/** The README's client example: the first ```js block after "restorepoint/client". */
function readmeExample(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const from = readme.indexOf('`restorepoint/client`');
  const match = /```js\n([\s\S]*?)```/.exec(readme.slice(from));
  assert.ok(from >= 0 && match, 'README has the client example');
  return match[1]!;
}

/** Node without tsx or any other preloaded loader. */
const plainEnv = (extra: Record<string, string>) => ({ ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS')), ...extra });

describe("README's client example runs with plain node against the built package", () => {
  let db: ScratchDatabase;
  let world: TestWorld;
  let worker: ChildProcess;
  let env: Record<string, string>;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-package-'));

  before(async () => {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'pipe' });
    // A project that depends on restorepoint: node_modules/restorepoint is the package root.
    fs.mkdirSync(path.join(folder, 'node_modules'));
    fs.symlinkSync(ROOT, path.join(folder, 'node_modules', 'restorepoint'), 'dir');
    db = await scratchDatabase('package');
    execFileSync('psql', ['-q', '-d', db.url, '-c', "create table item (id int primary key, label text); insert into item select g, 'item ' || g from generate_series(1, 50) g"]);
    world = await startTestWorld({});
    env = { ...worldCliEnv(world), RESTOREPOINT_SOURCE_DEMO: db.url, EXPORT_TO: `file://${folder}/exports` };
    worker = spawn(process.execPath, [...WORKER_NODE_FLAGS, path.join(ROOT, 'dist/worker/main.js')], { env: plainEnv(env), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      worker.once('exit', (code) => reject(new Error(`the built worker exited (${code})`)));
      worker.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('worker started')) resolve();
      });
    });
  });
  after(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
    await world?.close();
    await db?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('exports through restorepoint/client and prints the progress and the summary', async () => {
    fs.writeFileSync(path.join(folder, 'export.mjs'), readmeExample());
    const { stdout } = await promisify(execFile)(process.execPath, ['export.mjs'], { cwd: folder, env: plainEnv(env) });
    assert.match(stdout, /^\{\s*stage: '\w+'/, 'the progress first');
    assert.match(stdout, /manifestKey: '[^']+\/manifest\.json',[\s\S]*tables: 1,\s+rows: 50,/, 'then the summary: the table and its 50 rows');
    const exportId = /exportId: '([^']+)'/.exec(stdout)?.[1];
    assert.ok(exportId, stdout);
    // The CLI (from source here) finds it in the catalog the built worker wrote.
    const shown = await runCli(env, ['exports', 'show', exportId, '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal((JSON.parse(shown.stdout) as { export: { status: string } }).export.status, 'succeeded');
  });

  it('is typed: a TypeScript consumer resolves restorepoint/client to the declarations', () => {
    fs.writeFileSync(
      path.join(folder, 'consumer.ts'),
      "import { startExport, type ExportHandle } from 'restorepoint/client';\nexport const start: typeof startExport = startExport;\nexport type Handle = ExportHandle;\n",
    );
    fs.writeFileSync(
      path.join(folder, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['consumer.ts'] }),
    );
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', folder], { stdio: 'pipe' });
    assert.ok(fs.existsSync(path.join(ROOT, 'dist/client/index.d.ts')));
  });

  it('has no test-only package among its runtime dependencies, and the build requires none of them', () => {
    for (const testOnly of ['tsx', '@temporalio/testing', 'typescript', 'fast-check']) {
      assert.ok(!(testOnly in pkg.dependencies), `${testOnly} is a runtime dependency`);
    }
    assert.deepEqual(Object.keys(pkg.exports).sort(), ['.', './client', './package.json']);
    const dev = new Set(Object.keys(pkg.devDependencies).filter((name) => !name.startsWith('@types/')));
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (entry.name.endsWith('.js')) {
          for (const [, name] of fs.readFileSync(file, 'utf8').matchAll(/require\("((?:@[^/"]+\/)?[^/"]+)/g)) {
            if (dev.has(name!)) offenders.push(`${path.relative(ROOT, file)} requires ${name}`);
          }
        }
      }
    };
    walk(path.join(ROOT, 'dist'));
    assert.deepEqual(offenders, []);
  });
});
