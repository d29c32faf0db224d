import type { Payload, PayloadCodec } from '@temporalio/common';
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { z } from 'zod';
import type { IdentityConfig } from '../config/schema';
import { isRestorepointError } from '../core/errors';
import { ANY_RESOURCE, permits, type Permission } from './permissions';
import { verifyToken } from './verify-token';

/** A payload as Temporal's codec-server protocol carries it: metadata values and data in base64. */
const jsonPayloadSchema = z.object({
  metadata: z.record(z.string(), z.string()).default({}),
  data: z.string().default(''),
});
const bodySchema = z.object({ payloads: z.array(jsonPayloadSchema) });
type JsonPayload = z.infer<typeof jsonPayloadSchema>;

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(p.data, 'base64')),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

export interface CodecServerOptions {
  /** The codecs workers and clients use (identity/payload-codec.ts), applied in the same order. */
  readonly codecs: readonly PayloadCodec[];
  /** The issuer whose bearer tokens are accepted; unset, every request is refused. */
  readonly identity: IdentityConfig | undefined;
  /** Browser origins allowed to call (the Temporal UI's, e.g. http://localhost:8233). */
  readonly corsOrigins: readonly string[];
}

/** What to answer a refused or failed request with: a status and a typed error, never a payload. */
function refuse(c: Context, status: 400 | 401 | 403, code: string, message: string) {
  return c.json({ error: { code, message } }, status);
}

/**
 * Temporal's remote codec protocol (POST /encode, POST /decode, `{"payloads": [...]}` both
 * ways) over the project's payload codec, so the Temporal UI and `temporal workflow show
 * --codec-endpoint` show workflow payloads in clear to the people allowed to see row values.
 * Every request needs a bearer token the identity verifier accepts; decoding needs
 * `payloads.decode` on every source (`*`), because a payload does not say whose rows it holds.
 */
export function codecApp(options: CodecServerOptions): Hono {
  const app = new Hono();
  app.use(
    '*',
    cors({
      origin: [...options.corsOrigins],
      allowMethods: ['POST', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type', 'X-Namespace'],
      credentials: true,
      maxAge: 600,
    }),
  );

  const handle = (direction: 'encode' | 'decode', permission: Permission | null) => async (c: Context) => {
    const header = c.req.header('authorization') ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    let roles;
    try {
      ({ roles } = await verifyToken(options.identity, token));
    } catch (error) {
      return refuse(c, 401, 'AUTH_INVALID', isRestorepointError(error) ? error.message : 'the token cannot be verified');
    }
    if (permission && !permits(roles, permission, ANY_RESOURCE)) {
      return refuse(c, 403, 'PERMISSION_DENIED', `${direction} needs ${permission} on every source (*): the token's roles do not include it`);
    }
    const body = bodySchema.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return refuse(c, 400, 'INPUT_INVALID', 'the body must be {"payloads": [{"metadata": {...}, "data": "<base64>"}]}');
    try {
      let payloads = body.data.payloads.map(fromJson);
      const codecs = direction === 'encode' ? options.codecs : [...options.codecs].reverse();
      for (const codec of codecs) payloads = await codec[direction](payloads);
      return c.json({ payloads: payloads.map(toJson) });
    } catch (error) {
      if (isRestorepointError(error)) return refuse(c, 400, error.code, error.message);
      throw error;
    }
  };

  // Encoding reveals nothing, but only a verified caller may have payloads sealed under the key.
  // Also under a namespace segment, for endpoints configured with Temporal's `{namespace}` templating.
  for (const prefix of ['', '/:namespace']) {
    app.post(`${prefix}/encode`, handle('encode', null));
    app.post(`${prefix}/decode`, handle('decode', 'payloads.decode'));
  }
  return app;
}
