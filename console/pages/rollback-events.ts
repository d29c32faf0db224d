import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { rollbackIdSchema } from '../../core/rollback/rollback-input';
import { problem, type ConsoleDeps, type ConsoleEnv } from '../context';
import { isFinal, rollbackBody, visibleRollback } from './rollback';

/** How long a just-requested rollback may take to appear in the catalog before the stream gives up on it. */
const APPEAR_MILLIS = 2 * 60 * 1000;
/** How often the stream asks the workflow (through the client library, with the user's token) how it is doing. */
const POLL_MILLIS = 1000;

/**
 * `/rollbacks/:id/events`: Server-Sent Events for a rollback's page. The server polls the
 * workflow's status and the catalog and sends the page's part again (`update`) whenever it
 * renders differently; at a final stage it sends `end` and stops. A rollback not in the
 * catalog yet (just requested) is waited for, two minutes at most. It stops too when the
 * session ends (sign-out, token expiry) or the browser leaves.
 */
export function registerRollbackEvents(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/rollbacks/:id/events', async (c) => {
    if (!rollbackIdSchema.safeParse(c.req.param('id')).success) return problem(c, 404, c.var.view.t('error.notFound'));
    const sessionId = c.var.view.session.id;
    const opened = Date.now();
    return streamSSE(c, async (stream) => {
      let shown = '';
      while (!stream.aborted && (await deps.sessions.get(sessionId))?.user) {
        const record = await visibleRollback(deps, c);
        if (record) {
          const { stage, body } = await rollbackBody(deps, c, record);
          const rendered = String(await body);
          if (rendered !== shown) await stream.writeSSE({ event: 'update', data: rendered });
          shown = rendered;
          if (isFinal(stage)) return void (await stream.writeSSE({ event: 'end', data: stage }));
        } else if (Date.now() - opened > APPEAR_MILLIS) {
          return void (await stream.writeSSE({ event: 'end', data: 'not-found' }));
        }
        await stream.sleep(POLL_MILLIS);
      }
    });
  });
}
