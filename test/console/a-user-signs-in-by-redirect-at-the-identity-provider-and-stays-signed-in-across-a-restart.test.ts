import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { configSchema, type Config } from '../../config/schema';
import { scratchDatabase, testStack, type ScratchDatabase } from '../support/stack';
import { SCREENSHOTS, seriousViolations, signOut, startConsoleBrowser, type ConsoleBrowser } from './console-world';
import { CONSOLE_CLIENT_ID, startTestIdentityProvider, type TestIdentityProvider } from './test-identity-provider';

describe('a user signs in by redirect at the identity provider and stays signed in across a console restart', () => {
  let catalogDb: ScratchDatabase;
  let trusted: TestIdentityProvider;
  let untrusted: TestIdentityProvider;
  let cb: ConsoleBrowser;

  /** The console trusts `trusted`'s tokens (as the worker would); sign-in discovers the provider at `signInAt`. */
  const consoleConfig = (signInAt: string): Config =>
    configSchema.parse({
      temporal: { address: testStack().temporal.address, namespace: 'default', taskQueue: 'console-sign-in' },
      catalog: { url: catalogDb.url },
      // The dashboards read the catalog only: the source is named, never connected to here.
      sources: { app: { url: catalogDb.url } },
      gcs: { emulatorHost: testStack().gcs.url },
      logLevel: 'warn',
      worker: {},
      export: {},
      identity: { issuer: trusted.issuer, audience: 'restorepoint', jwksUrl: `${trusted.issuer}/jwks`, algorithms: ['RS256'], grants: [{ subject: 'alice', source: 'app', roles: ['restorer'] }] },
      console: { oidc: { clientId: CONSOLE_CLIENT_ID, issuerUrl: signInAt } },
    });

  /** Follows the console's redirect sign-in; the provider asks for a login and a consent only the first time. */
  const signInAtProvider = async (subject: string) => {
    const { page } = cb;
    await page.goto(`${cb.console.url}/login`);
    await page.getByRole('link', { name: 'Sign in with your identity provider' }).press('Enter');
    await page.waitForURL((url) => url.pathname !== '/login');
    if (await page.locator('input[name="login"]').count()) {
      await page.locator('input[name="login"]').fill(subject);
      await page.locator('input[name="password"]').fill('any');
      await page.getByRole('button', { name: 'Sign-in' }).press('Enter');
      await page.getByRole('button', { name: 'Continue' }).waitFor();
    }
    if (await page.getByRole('button', { name: 'Continue' }).count()) await page.getByRole('button', { name: 'Continue' }).press('Enter');
  };

  before(async () => {
    catalogDb = await scratchDatabase('console_sign_in');
    trusted = await startTestIdentityProvider();
    untrusted = await startTestIdentityProvider();
    cb = await startConsoleBrowser(consoleConfig(trusted.issuer));
    trusted.admit(`${cb.console.url}/login/callback`);
    untrusted.admit(`${cb.console.url}/login/callback`);
  });
  after(async () => {
    await cb?.close();
    await trusted?.close();
    await untrusted?.close();
    await catalogDb?.drop();
  });

  it('signs alice in through the provider (code flow with PKCE), with the roles her subject is granted; the pasted token stays offered', async () => {
    const { page } = cb;
    await page.goto(`${cb.console.url}/login`);
    assert.equal(await page.getByLabel('Token').count(), 1, 'pasting a token is still offered');
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: path.join(SCREENSHOTS, '22-sign-in-redirect.png'), fullPage: true });
    await signInAtProvider('alice');
    await page.waitForURL('**/dashboard');
    await page.getByText('Signed in as alice').waitFor();
    assert.match(await page.locator('table').innerText(), /Dashboard of app\tnone yet\t\tno target set\t/, 'a source without rpoTargetSeconds says so');
    // The grant by subject gives alice `restorer` on app: the wizard is hers to open.
    assert.equal((await page.goto(`${cb.console.url}/recover/source`))!.status(), 200);
    await signOut(page);
  });

  it('refuses a sign-in whose state was tampered with on the way, and the same answer replayed (a sign-in is used once)', async () => {
    const { page } = cb;
    // The console's redirect to the provider, with one character of its state changed: the provider echoes it back.
    await page.route(
      (url) => url.pathname === '/login/oidc',
      async (route) => {
        const response = await route.fetch({ maxRedirects: 0 });
        const location = new URL(response.headers()['location']!);
        location.searchParams.set('state', `${location.searchParams.get('state')}x`);
        await route.fulfill({ response, headers: { ...response.headers(), location: location.href } });
      },
    );
    await signInAtProvider('alice');
    await page.getByText(/The sign-in was refused: .*"state"/).waitFor();
    await page.unrouteAll();
    assert.deepEqual(await seriousViolations(page), []);
    assert.equal((await page.reload())!.status(), 401);
    await page.getByText('The sign-in was refused: this sign-in was not started in this browser, was already used').waitFor();
    await page.goto(`${cb.console.url}/dashboard`);
    assert.match(page.url(), /\/login$/, 'nobody is signed in');
  });

  it('keeps alice signed in when the console restarts; signing out deletes the session, so its old cookie is worthless', async () => {
    const { page, context } = cb;
    await signInAtProvider('alice');
    await page.waitForURL('**/dashboard');
    const cookie = (await context.cookies()).find((c) => c.name === 'rp_console_session')!;
    await cb.restartConsole();
    await page.goto(`${cb.console.url}/dashboard`);
    await page.getByText('Signed in as alice').waitFor();
    await signOut(page);
    await context.addCookies([cookie]);
    await page.goto(`${cb.console.url}/dashboard`);
    assert.match(page.url(), /\/login$/, 'the signed-out session is gone from the catalog');
  });

  it('refuses a user signed in by a provider whose tokens the worker does not trust', async () => {
    const { page } = cb;
    await cb.restartConsole(consoleConfig(untrusted.issuer));
    await signInAtProvider('alice');
    await page.getByText(/The sign-in was refused: (no key of the issuer matches the token|the token is from another issuer)/).waitFor();
    await page.goto(`${cb.console.url}/dashboard`);
    assert.match(page.url(), /\/login$/);
    assert.equal(cb.logLines.some((line) => /code=|state=|eyJ/.test(line)), false, 'no code, state or token in the log');
  });
});
