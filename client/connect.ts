import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/schema';
import { dataConverterFor } from '../identity/data-converter';
import { temporalTransport } from '../identity/temporal-transport';
import type { RolesByResource } from '../identity/permissions';
import type { CallerCredential } from '../identity/principal';
import { defaultTokenSource, serviceToken, type TokenSource } from '../identity/token-store';

export interface RestorepointClient {
  readonly temporal: Client;
  readonly taskQueue: string;
  /**
   * The caller's proof of identity, attached to every workflow start, signal and update.
   * `as` is the name the caller claims; the worker checks it against the verified subject.
   */
  credential(as?: string): Promise<CallerCredential>;
  /** The credential a schedule's runs act with, as the service identity `schedule:<scheduleId>` holding `roles`. */
  serviceCredential(scheduleId: string, roles: RolesByResource): Promise<CallerCredential>;
  /** The configuration it was connected with: requests are checked against it before anything starts. */
  readonly config?: Config;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Where tokens come from; default RESTOREPOINT_TOKEN, then the `restorepoint login` file. */
  readonly tokens?: TokenSource;
}

/**
 * A Temporal client for restorepoint's namespace and task queue, from config. Payloads are
 * encrypted with the configured payload key (the worker holds the same one).
 */
export async function connectClient(config: Config, options: ConnectOptions = {}): Promise<RestorepointClient> {
  const connection = await Connection.connect(temporalTransport(config.temporal));
  const tokens = options.tokens ?? defaultTokenSource;
  return {
    temporal: new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config.identity?.payloadKeyFile) }),
    taskQueue: config.temporal.taskQueue,
    credential: async (as) => {
      const token = await tokens(as);
      return token ? { token } : {};
    },
    serviceCredential: async (scheduleId, roles) => {
      const token = await serviceToken(`schedule:${scheduleId}`, roles);
      return token ? { token } : {};
    },
    config,
    close: () => connection.close(),
  };
}
