import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The workflow bundle, built in a short-lived child process (`node worker/workflow-bundle.ts
 * <out>`, with this process's loader flags) rather than in the worker itself: webpack's
 * compilation grows the heap by some 200 MB that V8 never hands back, and an idle worker
 * only needs the bundle's code (docs/performance.md, "Idle worker memory").
 */
export async function buildWorkflowBundle({ failureConverterPath }: { readonly failureConverterPath?: string } = {}): Promise<{ code: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-bundle-'));
  const out = path.join(dir, 'workflows.js');
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, [...loaderFlags(), __filename, out, ...(failureConverterPath ? [failureConverterPath] : [])], { maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) =>
        error ? reject(new Error(`building the workflow bundle failed: ${stderr.trim().slice(-4000) || error.message}`)) : resolve(),
      );
    });
    return { code: fs.readFileSync(out, 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Flags that decide how the child loads TypeScript; they take a value, as `--flag=value` or as the next argument. */
const LOADER_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C']);

/**
 * Only this process's loader flags (tsx under tests): anything else (a test runner's
 * `--test-name-pattern VALUE`, a profiler, a debugger) would change what the child is, and
 * dropping a flag but keeping its separate value would hand the child a stray argument.
 */
export function loaderFlags(execArgv: readonly string[] = process.execArgv): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i += 1) {
    const flag = execArgv[i]!;
    const name = flag.split('=')[0]!;
    if (!LOADER_FLAGS.has(name)) continue;
    kept.push(flag);
    if (!flag.includes('=') && i + 1 < execArgv.length) kept.push(execArgv[(i += 1)]!);
  }
  return kept;
}

async function writeBundle(out: string, failureConverterPath: string | undefined): Promise<void> {
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: quietLogger, ...(failureConverterPath ? { failureConverterPath } : {}) });
  fs.writeFileSync(out, code);
}

const ignore = () => undefined;
const quietLogger = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: (message: string) => process.stderr.write(`${message}\n`) };

if (require.main === module) {
  writeBundle(process.argv[2]!, process.argv[3]).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
