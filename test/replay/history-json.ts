import path from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import type { PayloadCodec } from '@temporalio/common';

type History = proto.temporal.api.history.v1.IHistory;

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): unknown;
}

/*
 * The proto3 JSON form that `temporal workflow show --output json` writes. @temporalio/common's
 * historyToJSON cannot be used in this install: it loads a second copy of protobufjs, whose
 * `instanceof Type` check refuses @temporalio/proto's types ("type must be a Type"). The copy
 * @temporalio/proto itself loads does the same conversion.
 */
const protoJson = require(require.resolve('protobufjs/ext/protojson', { paths: [path.dirname(require.resolve('@temporalio/proto/package.json'))] })) as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

export function historyToJson(history: History): string {
  return JSON.stringify(protoJson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 1);
}

export function historyFromJson(json: string): History {
  return protoJson.fromJson(historyType, JSON.parse(json), { ignoreUnknownFields: true }) as History;
}

type Payload = proto.temporal.api.common.v1.IPayload;
const JWT = /^eyJ[\w-]+\.[\w-]+\.[\w-]*$/;

/**
 * The history with every payload the payload codec sealed opened again (so a fixture replays on
 * a machine without this one's payload key, as CI is), and every bearer token in a JSON payload
 * replaced (a fixture in git holds no credential; replay compares commands, not inputs).
 */
export async function openedHistory(history: History, codecs: readonly PayloadCodec[]): Promise<History> {
  const open = async (sealed: Payload): Promise<Payload> => {
    let decoded = [sealed] as Parameters<PayloadCodec['decode']>[0];
    for (const codec of [...codecs].reverse()) decoded = await codec.decode(decoded);
    const payload = decoded[0]!;
    const encoding = payload.metadata?.encoding ? Buffer.from(payload.metadata.encoding).toString('utf8') : '';
    if (encoding !== 'json/plain' || !payload.data) return payload;
    const redacted = JSON.stringify(JSON.parse(Buffer.from(payload.data).toString('utf8')), (_key, value: unknown) => (typeof value === 'string' && JWT.test(value) ? 'redacted.bearer.token' : value));
    return { ...payload, data: new Uint8Array(Buffer.from(redacted, 'utf8')) };
  };
  const walk = async (node: unknown): Promise<unknown> => {
    if (Array.isArray(node)) return Promise.all(node.map(walk));
    if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return node;
    const record = node as Record<string, unknown>;
    if (record.metadata && typeof record.metadata === 'object' && record.data instanceof Uint8Array) return open(record as Payload);
    return Object.fromEntries(await Promise.all(Object.entries(record).map(async ([key, value]) => [key, await walk(value)] as const)));
  };
  return (await walk(proto.temporal.api.history.v1.History.toObject(proto.temporal.api.history.v1.History.fromObject(history), { defaults: false }))) as History;
}
