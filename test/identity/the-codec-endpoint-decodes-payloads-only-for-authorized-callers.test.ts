import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { defaultPayloadConverter } from '@temporalio/common';
import { codecApp } from '../../identity/codec-server';
import { localIdentityConfig } from '../../identity/local-issuer';
import { payloadCodecs } from '../../identity/payload-codec';
import { tokenFor } from '../support/identity';

const UI = 'http://localhost:8233';
const SENTINEL = 'mask-sentinel-4711@example.com';

describe('the codec endpoint decodes payloads only for callers allowed to see row values', () => {
  const identity = localIdentityConfig();
  let server: ServerType;
  let base: string;
  before(async () => {
    const app = codecApp({ codecs: payloadCodecs(identity.payloadKeyFile), identity, corsOrigins: [UI] });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve());
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = async (path: string, body: unknown, token?: string) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { payloads?: { metadata: Record<string, string>; data: string }[]; error?: { code: string; message: string } } };
  };
  const plain = () => {
    const p = defaultPayloadConverter.toPayload({ email: SENTINEL });
    return { payloads: [{ metadata: { encoding: Buffer.from(p.metadata!.encoding!).toString('base64') }, data: Buffer.from(p.data!).toString('base64') }] };
  };
  const sealed = async () => {
    const encoded = await post('/encode', plain(), await tokenFor('encoder', { demo: ['viewer'] }));
    assert.equal(encoded.status, 200);
    return encoded.body as { payloads: { metadata: Record<string, string>; data: string }[] };
  };
  const text = (body: unknown) => JSON.stringify(body) + Buffer.from(JSON.stringify(body)).toString('latin1');

  it('seals a payload so the row value is not in it, and gives it back in clear to an approver and an admin (also under a namespace path)', async () => {
    const encrypted = await sealed();
    assert.ok(!Buffer.from(encrypted.payloads[0]!.data, 'base64').toString('latin1').includes(SENTINEL));
    assert.equal(Buffer.from(encrypted.payloads[0]!.metadata.encoding!, 'base64').toString(), 'binary/restorepoint-aes256gcm');
    for (const [route, roles] of [['/decode', { '*': ['approver' as const] }], ['/default/decode', { '*': ['admin' as const] }]] as const) {
      const decoded = await post(route, encrypted, await tokenFor('reader', roles));
      assert.equal(decoded.status, 200);
      assert.deepEqual(decoded.body, plain());
    }
  });

  it('refuses a viewer (403), an approver of one source only (403), no token and a bad token (401), and returns nothing', async () => {
    const encrypted = await sealed();
    const viewer = await post('/decode', encrypted, await tokenFor('vera', { '*': ['viewer'] }));
    assert.equal(viewer.status, 403);
    assert.equal(viewer.body.error?.code, 'PERMISSION_DENIED');
    const scoped = await post('/decode', encrypted, await tokenFor('sam', { demo: ['approver'] }));
    assert.equal(scoped.status, 403);
    const anonymous = await post('/decode', encrypted);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error?.code, 'AUTH_INVALID');
    const forged = await post('/decode', encrypted, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJtYWxsb3J5In0.');
    assert.equal(forged.status, 401);
    const anonymousEncode = await post('/encode', plain());
    assert.equal(anonymousEncode.status, 401);
    for (const refused of [viewer, scoped, anonymous, forged]) {
      assert.equal(refused.body.payloads, undefined);
      assert.ok(!text(refused.body).includes(SENTINEL));
    }
  });

  it('refuses a tampered or truncated payload with PAYLOAD_UNREADABLE, never garbage', async () => {
    const encrypted = await sealed();
    const token = await tokenFor('bob', { '*': ['approver'] });
    const bytes = Buffer.from(encrypted.payloads[0]!.data, 'base64');
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 3]! ^= 0x01;
    for (const data of [flipped, bytes.subarray(0, bytes.length - 5), bytes.subarray(0, 10)]) {
      const tampered = { payloads: [{ ...encrypted.payloads[0]!, data: data.toString('base64') }] };
      const answer = await post('/decode', tampered, token);
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error?.code, 'PAYLOAD_UNREADABLE');
      assert.match(answer.body.error?.message ?? '', /altered or truncated/);
    }
    const malformed = await post('/decode', { nope: true }, token);
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error?.code, 'INPUT_INVALID');
  });

  it("answers the Temporal UI's CORS preflight for its origin only", async () => {
    const preflight = (origin: string) =>
      fetch(`${base}/decode`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' } });
    const allowed = await preflight(UI);
    assert.equal(allowed.headers.get('access-control-allow-origin'), UI);
    assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /Authorization/i);
    const other = await preflight('https://evil.example');
    assert.notEqual(other.headers.get('access-control-allow-origin'), 'https://evil.example');
  });
});
