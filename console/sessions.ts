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
  lastSeen: number;
}

const secret = () => randomBytes(32).toString('base64url');

/** Sessions in memory: a console restart signs everyone out, which is the safe direction. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly idleMillis = 8 * 3600 * 1000) {}

  /** A new session with nobody signed in (the sign-in form needs its CSRF token). */
  create(): Session {
    // Anonymous sessions are made for every cookie-less request: forget the idle ones as they pile up.
    if (this.sessions.size >= 10_000) for (const id of [...this.sessions.keys()]) this.get(id);
    const session: Session = { id: secret(), csrf: secret(), draft: {}, lastSeen: Date.now() };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session of `id`; a signed-in one whose token expired, or one idle too long, is gone. */
  get(id: string | undefined): Session | undefined {
    const session = id ? this.sessions.get(id) : undefined;
    if (!session) return undefined;
    const now = Date.now();
    const expired = session.user?.principal.expiresAt ? Date.parse(session.user.principal.expiresAt) <= now : false;
    if (expired || now - session.lastSeen > this.idleMillis) {
      this.sessions.delete(session.id);
      return undefined;
    }
    session.lastSeen = now;
    return session;
  }

  /** Signs `user` in on a fresh id and CSRF token (a session id known before sign-in is worthless after it). */
  signIn(previous: Session, user: SignedIn): Session {
    this.sessions.delete(previous.id);
    const session: Session = { ...this.create(), user, ...(previous.locale ? { locale: previous.locale } : {}) };
    this.sessions.set(session.id, session);
    return session;
  }

  end(id: string): void {
    this.sessions.delete(id);
  }
}

/** Whether a form's CSRF token is the session's, compared in constant time. */
export function csrfMatches(session: Session, sent: unknown): boolean {
  if (typeof sent !== 'string' || sent.length !== session.csrf.length) return false;
  return timingSafeEqual(Buffer.from(sent), Buffer.from(session.csrf));
}
