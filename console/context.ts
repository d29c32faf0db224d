import type { Context } from 'hono';
import { html } from 'hono/html';
import type { Knex } from 'knex';
import type { RestorepointClient } from '../client/connect';
import type { Config } from '../config/schema';
import { page, type View } from './layout';
import type { RedirectSignIn } from './oidc';
import type { SessionStore, SignedIn } from './sessions';

/** What the console is built from: configuration, one Temporal connection, the catalog, and where its log goes. */
export interface ConsoleDeps {
  readonly config: Config;
  /** The console's connection; every call through it presents the signed-in user's token (`asUser`), never one of its own. */
  readonly client: RestorepointClient;
  readonly catalog: Knex;
  /** One record per request: method, route pattern and status; never a URL's values, a form field or a token. */
  readonly log: (record: Readonly<Record<string, string | number>>) => void;
  readonly sessions: SessionStore;
  /** The redirect sign-in at the configured OIDC provider (config `console.oidc`); unset: a pasted token only. */
  readonly redirectSignIn?: RedirectSignIn;
  /** Mark the session cookie Secure: when the console is reached through HTTPS (a TLS proxy in front of it). */
  readonly secureCookies?: boolean;
}

/** The form fields of a POST, read once by the CSRF check. */
export type Form = Readonly<Record<string, string | File | (string | File)[]>>;

export interface ConsoleEnv {
  Variables: { view: View; form: Form };
}

export type ConsoleContext = Context<ConsoleEnv>;

/** A client that acts as the signed-in user: the same connection, their token on every start, signal and update. */
export function asUser(client: RestorepointClient, user: SignedIn): RestorepointClient {
  return { ...client, credential: async () => ({ token: user.token }), close: async () => undefined };
}

/** The signed-in user of a request that passed the sign-in guard. */
export function userOf(c: ConsoleContext): SignedIn {
  const user = c.var.view.session.user;
  if (!user) throw new Error('route reached without a signed-in user');
  return user;
}

/** A form field as one string ('' when absent; the first of several). */
export function field(c: ConsoleContext, name: string): string {
  const value = c.var.form[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

/** Every value of a repeated form field (checkboxes). */
export function fields(c: ConsoleContext, name: string): readonly string[] {
  const value = c.var.form[name];
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string');
}

/** A page saying what went wrong, with its status. */
export function problem(c: ConsoleContext, status: 400 | 403 | 404 | 500, text: string): Response | Promise<Response> {
  const v = c.var.view;
  return c.html(page(v, v.t('error.title'), html`<p class="error" role="alert">${text}</p><p><a href="/dashboard">${v.t('nav.dashboard')}</a></p>`), status);
}

/** A redirect after a POST (303: the browser follows it with GET). */
export const seeOther = (c: ConsoleContext, location: string): Response => c.redirect(location, 303);

