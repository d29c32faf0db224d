import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/schema';

export interface RestorepointClient {
  readonly temporal: Client;
  readonly taskQueue: string;
  close(): Promise<void>;
}

/** A Temporal client for restorepoint's namespace and task queue, from config. */
export async function connectClient(config: Config): Promise<RestorepointClient> {
  const connection = await Connection.connect({ address: config.temporal.address });
  return {
    temporal: new Client({ connection, namespace: config.temporal.namespace }),
    taskQueue: config.temporal.taskQueue,
    close: () => connection.close(),
  };
}
