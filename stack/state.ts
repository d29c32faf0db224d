import fs from 'node:fs';
import { z } from 'zod';
import { stackPaths } from './paths';

const serviceSchema = z.object({ pid: z.number().int().optional(), port: z.number().int() });

/** What `stack up` started, written to `.restorepoint/stack.json` so every other command finds it. */
export const stackStateSchema = z.object({
  postgres: serviceSchema.extend({
    /** true when the stack started the cluster itself; false when DATABASE_URL pointed at an existing server. */
    managed: z.boolean(),
    adminUrl: z.string(),
  }),
  temporal: serviceSchema.extend({ address: z.string(), uiUrl: z.string() }),
  gcs: serviceSchema.extend({ url: z.string() }),
  startedAt: z.string(),
});
export type StackState = z.infer<typeof stackStateSchema>;

export function readStackState(): StackState | undefined {
  const file = stackPaths.stateFile();
  if (!fs.existsSync(file)) return undefined;
  const parsed = stackStateSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

export function writeStackState(state: StackState): void {
  fs.writeFileSync(stackPaths.stateFile(), JSON.stringify(state, null, 2));
}

export function removeStackState(): void {
  fs.rmSync(stackPaths.stateFile(), { force: true });
}
