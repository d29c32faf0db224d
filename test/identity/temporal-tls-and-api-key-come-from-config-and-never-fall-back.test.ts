import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Connection } from '@temporalio/client';
import { configSchema } from '../../config/schema';
import { temporalTransport } from '../../identity/temporal-transport';
import { testStack } from '../support/stack';

/**
 * What can be tested of Temporal transport security here (docs/security.md, "Transport"): the
 * local dev server speaks plain gRPC only, so no test connects over TLS. These pin that config
 * becomes the SDK's TLS / mTLS / API-key options, and that a TLS client never falls back to
 * plain text against a server that does not speak TLS.
 */
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-tls-'));
after(() => fs.rmSync(folder, { recursive: true, force: true }));
const file = (name: string, content: string) => {
  fs.writeFileSync(path.join(folder, name), content);
  return path.join(folder, name);
};
const temporalConfig = (temporal: Record<string, unknown>) => configSchema.shape.temporal.parse(temporal);

test('tls with a CA, a client pair and a server name, and an API key file, become the connection options, read from their files', () => {
  const transport = temporalTransport(
    temporalConfig({
      address: 'temporal.example:7233',
      tls: { serverName: 'temporal.internal', caFile: file('ca.pem', 'CA'), certFile: file('client.pem', 'CERT'), keyFile: file('client.key', 'KEY') },
      apiKeyFile: file('api-key', 'secret-key\n'),
    }),
  );
  assert.equal(transport.address, 'temporal.example:7233');
  assert.equal(transport.tls?.serverNameOverride, 'temporal.internal');
  assert.equal(transport.tls?.serverRootCACertificate?.toString(), 'CA');
  assert.deepEqual([transport.tls?.clientCertPair?.crt.toString(), transport.tls?.clientCertPair?.key.toString()], ['CERT', 'KEY']);
  assert.equal(transport.apiKey, 'secret-key');
});

test('no tls key means plain gRPC; a certificate without its key is refused by the config schema; an unreadable file is CONFIG_INVALID', () => {
  assert.equal(temporalTransport(temporalConfig({ address: 'localhost:7233' })).tls, undefined);
  assert.throws(() => temporalConfig({ tls: { certFile: file('only.pem', 'CERT') } }), /certFile and keyFile go together/);
  assert.throws(() => temporalTransport(temporalConfig({ tls: { caFile: path.join(folder, 'missing.pem') } })), (error: Error & { code?: string }) => error.code === 'CONFIG_INVALID' && /CA certificate/.test(error.message));
});

test('a client configured for TLS does not fall back to plain text against the plain-text dev server', async () => {
  const transport = temporalTransport(temporalConfig({ address: testStack().temporal.address, tls: {} }));
  await assert.rejects(Connection.connect({ ...transport, connectTimeout: '5s' }));
  const plain = await Connection.connect({ ...temporalTransport(temporalConfig({ address: testStack().temporal.address })), connectTimeout: '5s' });
  await plain.close();
});
