import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { openBytes, sealBytes } from '../crypto/chunked-aead';
import type { KeyProvider } from '../crypto/key-provider';
import { newSecret, type Session, type SessionStore, type SignedIn } from './sessions';

const PURPOSE = 'sessions';
const KEY_CONTEXT = 'restorepoint console sessions';
/** How often idle rows are swept: anonymous sessions are made for every cookie-less request. */
const SWEEP_EVERY_MILLIS = 10 * 60 * 1000;

interface Row {
  id_hash: string;
  sealed: Buffer;
  expires_at: Date;
  last_seen: Date;
}

/** What is sealed: the session less its id (the row is found by the id's hash). */
type Sealed = Omit<Session, 'id' | 'lastSeen'>;

const hashOf = (id: string): string => createHash('sha256').update(id).digest('hex');

/** The console's data key: made once per catalog, wrapped by the key provider as an export's is. */
async function sessionKey(db: Knex, keys: KeyProvider): Promise<Buffer> {
  if (!(await db('console_keys').where({ purpose: PURPOSE }).first())) {
    const { keyId, wrapped } = await keys.wrap(randomBytes(32), KEY_CONTEXT);
    await db('console_keys').insert({ purpose: PURPOSE, provider: keys.kind, key_id: keyId, wrapped_key: wrapped }).onConflict('purpose').ignore();
  }
  const row = (await db('console_keys').where({ purpose: PURPOSE }).first()) as { key_id: string; wrapped_key: Buffer };
  return keys.unwrap(row.key_id, row.wrapped_key, KEY_CONTEXT);
}

/**
 * Sessions in the catalog, so a console restart (or a second console on the same catalog)
 * keeps people signed in. A row holds the SHA-256 of the session id, never the id, and the
 * session sealed with AES-256-GCM under the console's data key and bound to that hash: a
 * catalog reader finds neither a cookie to present nor a bearer token, and a sealed session
 * copied onto another row does not open.
 */
export class CatalogSessionStore implements SessionStore {
  private lastSweep = 0;
  /** Sessions signed out or replaced at sign-in: a request that still holds one must not save it back. */
  private readonly ended = new WeakSet<Session>();

  private constructor(
    private readonly db: Knex,
    private readonly dataKey: Buffer,
    private readonly idleMillis: number,
  ) {}

  static async open(db: Knex, keys: KeyProvider, idleMillis = 8 * 3600 * 1000): Promise<CatalogSessionStore> {
    return new CatalogSessionStore(db, await sessionKey(db, keys), idleMillis);
  }

  create(): Session {
    return { id: newSecret(), csrf: newSecret(), draft: {}, lastSeen: Date.now() };
  }

  async get(id: string | undefined): Promise<Session | undefined> {
    if (!id) return undefined;
    const idHash = hashOf(id);
    const row = (await this.db<Row>('console_sessions').where({ id_hash: idHash }).first()) as Row | undefined;
    if (!row) return undefined;
    const now = Date.now();
    if (row.expires_at.getTime() <= now || now - row.last_seen.getTime() > this.idleMillis) {
      await this.db('console_sessions').where({ id_hash: idHash }).delete();
      return undefined;
    }
    const sealed = JSON.parse(openBytes(this.dataKey, { exportId: 'console-session', key: idHash }, row.sealed).toString('utf8')) as Sealed;
    return { ...sealed, id, lastSeen: row.last_seen.getTime() };
  }

  async save(session: Session): Promise<void> {
    if (this.ended.has(session)) return;
    const idHash = hashOf(session.id);
    const { id: _id, lastSeen: _lastSeen, ...kept } = session;
    const now = Date.now();
    session.lastSeen = now;
    const sealed = sealBytes(this.dataKey, { exportId: 'console-session', key: idHash }, Buffer.from(JSON.stringify(kept satisfies Sealed), 'utf8'));
    // A signed-in session ends with its token; an anonymous one only by idling.
    const tokenExpiry = session.user?.principal.expiresAt;
    const expiresAt = tokenExpiry ? new Date(tokenExpiry) : new Date(now + this.idleMillis);
    const row = { id_hash: idHash, sealed, expires_at: expiresAt, last_seen: new Date(now) };
    await this.db('console_sessions').insert(row).onConflict('id_hash').merge();
    await this.sweep();
  }

  async signIn(previous: Session, user: SignedIn): Promise<Session> {
    await this.end(previous);
    const session: Session = { ...this.create(), user, ...(previous.locale ? { locale: previous.locale } : {}) };
    await this.save(session);
    return session;
  }

  async end(session: Session): Promise<void> {
    this.ended.add(session);
    await this.db('console_sessions').where({ id_hash: hashOf(session.id) }).delete();
  }

  /** Forgets expired and idle sessions now and then. */
  private async sweep(): Promise<void> {
    const now = Date.now();
    if (now - this.lastSweep < SWEEP_EVERY_MILLIS) return;
    this.lastSweep = now;
    await this.db('console_sessions')
      .where('expires_at', '<=', new Date(now))
      .orWhere('last_seen', '<', new Date(now - this.idleMillis))
      .delete();
  }
}
