import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { problem, type ConsoleDeps, type ConsoleEnv } from '../context';
import { isFinal, rollbackBody, visibleRollback } from './rollback';

/** How often the stream asks the workflow (through the client library, with the user's token) how it is doing. */
const POLL_MILLIS = 1000;

/**
 * `/rollbacks/:id/events`: Server-Sent Events for a rollback's page. The server polls the
 * workflow's status and the catalog and sends the page's part again (`update`) whenever it
 * renders differently; at a final stage it sends `end` and stops. It stops too when the
 * session ends (sign-out, token expiry) or the browser leaves.
 */
export function registerRollbackEvents(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/rollbacks/:id/events', async (c) => {
    const first = await visibleRollback(deps, c);
    if (!first) return problem(c, 404, c.var.view.t('error.notFound'));
    const sessionId = c.var.view.session.id;
    return streamSSE(c, async (stream) => {
      let shown = '';
      let record = first;
      while (!stream.aborted) {
        const { stage, body } = await rollbackBody(deps, c, record);
        const rendered = String(await body);
        if (rendered !== shown) await stream.writeSSE({ event: 'update', data: rendered });
        shown = rendered;
        if (isFinal(stage)) {
          await stream.writeSSE({ event: 'end', data: stage });
          return;
        }
        await stream.sleep(POLL_MILLIS);
        const latest = (await deps.sessions.get(sessionId))?.user ? await visibleRollback(deps, c) : undefined;
        if (!latest) return;
        record = latest;
      }
    });
  });
}
