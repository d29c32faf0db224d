import type { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { isRestorepointError } from '../../core/errors';
import { page, view } from '../layout';
import type { Session } from '../sessions';
import type { ConsoleContext, ConsoleDeps, ConsoleEnv } from '../context';

/**
 * The cookie naming the sign-in under way. SameSite=Lax, unlike the session cookie: the
 * provider's redirect back is a navigation from another site, which a Strict cookie misses.
 * It names a short-lived session holding only the state, nonce and PKCE verifier.
 */
const FLOW_COOKIE = 'rp_console_signin';
const FLOW_PATH = '/login/callback';
const FLOW_MILLIS = 10 * 60 * 1000;

/**
 * `/login/oidc` sends the browser to the provider; `/login/callback` takes its answer, once,
 * within 10 minutes, in the browser that started it (console/oidc.ts checks the rest).
 */
export function registerRedirectSignIn(app: Hono<ConsoleEnv>, deps: ConsoleDeps, remember: (c: ConsoleContext, session: Session) => void): void {
  const redirectSignIn = deps.redirectSignIn;
  if (!redirectSignIn) return;
  const redirectUri = (c: ConsoleContext) => deps.config.console.oidc?.redirectUri ?? `${new URL(c.req.url).origin}${FLOW_PATH}`;

  const refused = (c: ConsoleContext, reason: string) => {
    const v = c.var.view;
    return c.html(page(v, v.t('login.title'), html`<p class="error" role="alert">${v.t('login.redirectRefused', { reason })}</p><p><a href="/login">${v.t('login.title')}</a></p>`), 401);
  };

  app.get('/login/oidc', async (c) => {
    const { url, pending } = await redirectSignIn.begin(redirectUri(c));
    const flow: Session = { ...deps.sessions.create(), pendingSignIn: pending };
    await deps.sessions.save(flow);
    setCookie(c, FLOW_COOKIE, flow.id, { httpOnly: true, sameSite: 'Lax', path: FLOW_PATH, maxAge: FLOW_MILLIS / 1000, secure: deps.secureCookies ?? false });
    return c.redirect(url.href, 303);
  });

  app.get(FLOW_PATH, async (c) => {
    const v = c.var.view;
    const flow = await deps.sessions.get(getCookie(c, FLOW_COOKIE));
    deleteCookie(c, FLOW_COOKIE, { path: FLOW_PATH });
    // One use: a replayed callback finds nothing.
    if (flow) await deps.sessions.end(flow);
    const pending = flow?.pendingSignIn;
    if (!pending || Date.now() - pending.startedAt > FLOW_MILLIS) return refused(c, v.t('login.notStartedHere'));
    try {
      const user = await redirectSignIn.finish(redirectUri(c), new URL(c.req.url).search, pending);
      const session = await deps.sessions.signIn(v.session, user);
      remember(c, session);
      const signedIn = view(session, v.locale, v.path);
      // A page, not a redirect: a Strict cookie set while a cross-site redirect chain runs is not
      // sent on the chain's next hop; the refresh is a navigation from this console itself.
      return c.html(
        page(signedIn, v.t('login.signedIn'), html`<p><a href="/dashboard">${v.t('login.continue')}</a></p>`, html`<meta http-equiv="refresh" content="0; url=/dashboard">`),
      );
    } catch (error) {
      if (!isRestorepointError(error)) throw error;
      return refused(c, error.message);
    }
  });
}
