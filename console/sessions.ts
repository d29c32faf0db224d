import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../identity/principal';
import type { Locale } from './messages';

/** The recovery wizard's choices so far: kept here, never in URLs (a row predicate can hold row values). */
export interface WizardDraft {
  readonly source?: string;
  /** The export chosen, or (with `at`) the one whose tables the wizard offers. */
  readonly exportId?: string;
  /** A point in time instead of an export: the worker resolves it through the restore points. */
  readonly at?: string;
  readonly tables?: readonly string[];
  readonly where?: Readonly<Record<string, string>>;
  readonly keys?: Readonly<Record<string, readonly Readonly<Record<string, string | number | boolean>>[]>>;
  /** One actor's changes instead of tables back to the restore point: a targeted revert from the trail. */
  readonly revert?: { readonly actor: string; readonly from?: string; readonly until?: string };
  /** `scratch-database`: a restore (or, with `at`, a reconstruction) into `scratchTarget`, not a rollback. */
  readonly mode?: 'in-place' | 'side-by-side' | 'scratch-database';
  readonly sideBySideSchema?: string;
  /** A configured target or `local:<database>`: an existing, empty database. */
  readonly scratchTarget?: string;
}

/** A signed-in user: the verified principal, and the token the console presents for them to the worker. */
export interface SignedIn {
  readonly principal: Principal;
  readonly token: string;
}

/**
 * A redirect sign-in under way (console/oidc.ts): what the callback must find again. Kept in
 * its own short-lived session, found by a cookie the identity provider's redirect back carries.
 */
export interface PendingSignIn {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** Epoch milliseconds: a sign-in not finished within minutes is void. */
  readonly startedAt: number;
}

/**
 * One browser's session, found by the random id in its cookie. The token stays here, on the
 * server: the page never sees it. `csrf` is sent back with every form.
 */
export interface Session {
  readonly id: string;
  readonly csrf: string;
  user?: SignedIn;
  locale?: Locale;
  draft: WizardDraft;
  /** One message for the next page (a decision recorded or refused). */
  flash?: string;
  pendingSignIn?: PendingSignIn;
  /** When the store last saved it (epoch milliseconds): idle time counts from here. */
  lastSeen: number;
}

/** What the console keeps sessions in (console/session-store.ts: the catalog). */
export interface SessionStore {
  /** A new session with nobody signed in (the sign-in form needs its CSRF token); kept once saved. */
  create(): Session;
  /** The live session of `id`; a signed-in one whose token expired, or one idle too long, is gone. */
  get(id: string | undefined): Promise<Session | undefined>;
  /** Keeps the session's current state (the pages change it in place); nothing once it ended. */
  save(session: Session): Promise<void>;
  /** Signs `user` in on a fresh id and CSRF token (a session id known before sign-in is worthless after it). */
  signIn(previous: Session, user: SignedIn): Promise<Session>;
  /** Deletes the session (sign-out); saving it afterwards does nothing. */
  end(session: Session): Promise<void>;
}

export const newSecret = (): string => randomBytes(32).toString('base64url');

/** Whether a form's CSRF token is the session's, compared in constant time. */
export function csrfMatches(session: Session, sent: unknown): boolean {
  if (typeof sent !== 'string' || sent.length !== session.csrf.length) return false;
  return timingSafeEqual(Buffer.from(sent), Buffer.from(session.csrf));
}
