import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { RestorepointError } from '../core/errors';

const ENCODING = 'binary/restorepoint-aes256gcm';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A payload as plain JSON, so it can be encrypted whole (its metadata says how its data is encoded). */
interface SealedPayload {
  readonly metadata: Readonly<Record<string, string>>;
  readonly data: string;
}

const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');

/**
 * Encrypts every Temporal payload (workflow inputs, signals, updates, activity inputs and
 * results, query answers) with AES-256-GCM before it leaves the process, and decrypts on the
 * way in. A workflow history, exported or read in the UI, then holds no bearer token. Payloads
 * that are not encrypted (a raw `temporal workflow signal`) pass through undecoded: the worker
 * judges them like any other, and they carry no valid credential.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new RestorepointError('CONFIG_INVALID', 'the payload key must be 32 bytes (base64)');
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 16);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const sealed: SealedPayload = { metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(payload.data) };
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(sealed), 'utf8'), cipher.final()]);
      return {
        metadata: { encoding: encoder.encode(ENCODING), 'encryption-key-id': encoder.encode(this.keyId) },
        data: Buffer.concat([iv, cipher.getAuthTag(), body]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.encoding;
      if (!encoding || decoder.decode(encoding) !== ENCODING) return payload;
      const keyId = payload.metadata?.['encryption-key-id'];
      if (!keyId || decoder.decode(keyId) !== this.keyId) throw new RestorepointError('PAYLOAD_UNREADABLE', 'a payload is encrypted with another key than this process holds (identity.payloadKeyFile)');
      const sealed = this.open(Buffer.from(payload.data ?? new Uint8Array()));
      return {
        metadata: Object.fromEntries(Object.entries(sealed.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
        data: new Uint8Array(Buffer.from(sealed.data, 'base64')),
      };
    });
  }

  /** Decrypts and authenticates one sealed payload; any altered, cut or foreign byte is PAYLOAD_UNREADABLE, never garbage. */
  private open(data: Buffer): SealedPayload {
    try {
      if (data.length < 28) throw new Error('too short');
      const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return JSON.parse(Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8')) as SealedPayload;
    } catch {
      throw new RestorepointError('PAYLOAD_UNREADABLE', 'an encrypted payload does not authenticate: it was altered or truncated after it was sealed');
    }
  }
}

/** The codec for a configured key file, or none when no key is configured (docs/security.md says why that is unsafe). */
export function payloadCodecs(keyFile: string | undefined): PayloadCodec[] {
  if (!keyFile) return [];
  let key: Buffer;
  try {
    key = Buffer.from(fs.readFileSync(keyFile, 'utf8').trim(), 'base64');
  } catch (error) {
    throw new RestorepointError('CONFIG_INVALID', `cannot read the payload key ${keyFile}: ${(error as Error).message}`);
  }
  return [new AesGcmPayloadCodec(key)];
}
