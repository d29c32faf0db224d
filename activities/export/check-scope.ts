import pg from 'pg';
import { asTypedDatabaseError } from '../../core/errors';
import { exportInputSchema, type ExportRequest } from '../../core/export-input';
import { resolveExportScope } from '../../postgres/export-scope';
import { describeColumns } from '../../postgres/introspect';
import { loadMasking, planMasking } from './masking';
import type { Config } from '../../config/schema';
import { resolveSource, type ActivityDeps } from '../deps';

/** How many tables an export's scope holds, and whether it is partial: names and counts only. */
export interface CheckedScope {
  readonly tables: number;
  readonly schemas: readonly string[];
  readonly partial: boolean;
}

/**
 * Checks a full export's request against its source before anything is recorded or written:
 * the source is configured, every schema and table pattern matches, nothing in scope is
 * refused (postgres/export-scope.ts), and a masking profile can mask every column it names.
 * The client runs it before starting the workflow and the workflow again before it records
 * anything (a schedule starts it without the client).
 */
export async function checkExportScope(config: Config, request: ExportRequest): Promise<CheckedScope> {
  const input = exportInputSchema.parse(request);
  const source = resolveSource(config, input.source);
  const client = new pg.Client({ connectionString: source.url, application_name: 'restorepoint-export-check' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const scope = await resolveExportScope(client, input);
    // A masking profile that cannot mask what is in scope is refused here too, before anything is recorded.
    if (input.mask) {
      const described = [];
      for (const table of scope.tables) described.push({ schema: table.schema, name: table.name, columns: await describeColumns(client, table) });
      planMasking(loadMasking(config, input.mask), input, described);
    }
    return { tables: scope.tables.length, schemas: scope.schemas, partial: scope.partial };
  } catch (error) {
    throw asTypedDatabaseError(error, 'EXPORT_FAILED', `checking the scope of export ${input.exportId} of ${input.source}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The workflow's copy of the check: a typed failure before the catalog hears of the export. */
export function createCheckScopeActivity(deps: ActivityDeps) {
  return async function checkScope(request: ExportRequest): Promise<CheckedScope> {
    return checkExportScope(deps.config, request);
  };
}
