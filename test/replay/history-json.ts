import path from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

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
