import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { isRestorepointError } from '../core/errors';
import { verifyToken } from '../identity/verify-token';
import { STRICT_POLICY } from './content-security';
import { csrfField, page, STYLESHEET, view } from './layout';
import { isLocale, localeFromAcceptLanguage } from './messages';
import { PROGRESS_SCRIPT } from './progress-script';
import { csrfMatches, type Session } from './sessions';
import { field, problem, seeOther, type ConsoleDeps, type ConsoleEnv } from './context';
import { registerDashboard } from './pages/dashboard';
import { registerAlertAck } from './pages/source-alerts';
import { registerRedirectSignIn } from './pages/sign-in-redirect';
import { registerRollbackEvents } from './pages/rollback-events';
import { registerRollbackPages } from './pages/rollback';
import { registerScratchPage } from './pages/scratch';
import { registerWizard } from './pages/wizard';

const COOKIE = 'rp_console_session';
/** A stored session untouched for this long is saved again, so its idle time counts from real use. */
const TOUCH_EVERY_MILLIS = 60_000;

/** Paths open without signing in. */
const PUBLIC = new Set(['/login', '/login/oidc', '/login/callback', '/locale', '/console.css', '/progress.js']);

/**
 * The operator console: server-rendered pages, forms posting back to it, and one small script
 * (a rollback's page follows its progress).
 * Every action goes through the client library with the signed-in user's token, so the
 * worker authorizes it again; the console checks the role first only to show or refuse.
 */
export function createConsoleApp(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const secure = deps.secureCookies ?? false;
  const remember = (c: Parameters<typeof setCookie>[0], session: Session) =>
    setCookie(c, COOKIE, session.id, { httpOnly: true, sameSite: 'Strict', path: '/', secure });

  app.use('*', async (c, next) => {
    c.header('Content-Security-Policy', STRICT_POLICY);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'no-store');
    const stored = await deps.sessions.get(getCookie(c, COOKIE));
    const session = stored ?? deps.sessions.create();
    if (!stored) remember(c, session);
    // Pages change the session in place; it is saved when they did, or to mark it used.
    const before = JSON.stringify({ ...session, lastSeen: 0 });
    const locale = session.locale ?? localeFromAcceptLanguage(c.req.header('Accept-Language'));
    c.set('view', view(session, locale, new URL(c.req.url).pathname));
    c.set('form', {});
    try {
      await next();
      if (!stored || JSON.stringify({ ...session, lastSeen: 0 }) !== before || Date.now() - session.lastSeen > TOUCH_EVERY_MILLIS) await deps.sessions.save(session);
    } finally {
      // The route's pattern, never the path: a path or query could carry values.
      deps.log({ method: c.req.method, route: c.req.routePath, status: c.res.status });
    }
  });

  app.use('*', async (c, next) => {
    const session = c.var.view.session;
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody({ all: true });
      c.set('form', form);
      if (!csrfMatches(session, form._csrf)) return problem(c, 403, c.var.view.t('error.csrf'));
    }
    if (!PUBLIC.has(c.req.path) && !session.user) return c.req.method === 'GET' ? c.redirect('/login', 303) : problem(c, 403, c.var.view.t('error.forbidden', { reason: 'sign in first' }));
    await next();
    // A flash is shown once, by the first page rendered after it was set.
    if (c.req.method === 'GET' && c.res.status === 200) session.flash = undefined;
  });

  app.get('/console.css', (c) => c.body(STYLESHEET, 200, { 'Content-Type': 'text/css; charset=utf-8' }));
  app.get('/progress.js', (c) => c.body(PROGRESS_SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));

  app.get('/', (c) => c.redirect(c.var.view.session.user ? '/dashboard' : '/login', 303));

  const loginPage = (c: Parameters<typeof problem>[0], refusal?: string) => {
    const v = c.var.view;
    return c.html(
      page(
        v,
        v.t('login.title'),
        html`${refusal ? html`<p class="error" role="alert">${v.t('login.refused', { reason: refusal })}</p>` : ''}
${deps.redirectSignIn ? html`<p><a class="button" href="/login/oidc">${v.t('login.redirect')}</a></p><h2>${v.t('login.orPaste')}</h2>` : ''}
<p>${v.t('login.intro')}</p>
<form method="post" action="/login">${csrfField(v)}
<label for="token">${v.t('login.token')}</label>
<textarea id="token" name="token" rows="6" required autocomplete="off" spellcheck="false"></textarea>
<button type="submit">${v.t('login.submit')}</button>
</form>`,
      ),
      refusal ? 401 : 200,
    );
  };

  app.get('/login', (c) => loginPage(c));

  app.post('/login', async (c) => {
    const token = field(c, 'token').trim();
    try {
      // The same verifier as the worker's: issuer, audience, signature, expiry.
      const principal = await verifyToken(deps.config.identity, token);
      const session = await deps.sessions.signIn(c.var.view.session, { principal, token });
      remember(c, session);
      return seeOther(c, '/dashboard');
    } catch (error) {
      if (!isRestorepointError(error)) throw error;
      return loginPage(c, error.message);
    }
  });

  app.post('/logout', async (c) => {
    await deps.sessions.end(c.var.view.session);
    deleteCookie(c, COOKIE, { path: '/' });
    return seeOther(c, '/login');
  });

  app.post('/locale', (c) => {
    const chosen = field(c, 'locale');
    if (isLocale(chosen)) c.var.view.session.locale = chosen;
    const back = field(c, 'back');
    // Only a path of this console: never another origin (`//host`) or a scheme.
    return seeOther(c, /^\/(?![/\\])[\w\-/.]*$/.test(back) ? back : '/');
  });

  registerRedirectSignIn(app, deps, remember);
  registerDashboard(app, deps);
  registerAlertAck(app, deps);
  registerWizard(app, deps);
  registerRollbackPages(app, deps);
  registerRollbackEvents(app, deps);
  registerScratchPage(app, deps);

  app.notFound((c) => problem(c, 404, c.var.view.t('error.notFound')));
  app.onError((error, c) => {
    deps.log({ method: c.req.method, route: c.req.routePath, status: 500, error: isRestorepointError(error) ? error.code : error.name });
    return problem(c, isRestorepointError(error) && ['INPUT_INVALID', 'ROLLBACK_SCOPE_INVALID', 'SOURCE_UNKNOWN'].includes(error.code) ? 400 : 500, c.var.view.t('error.failed', { message: error.message }));
  });
  return app;
}
