import http from 'node:http';
import https from 'node:https';

/** An HTTP(S) Agent for one upload, whose connections can all be cut at once. */
export interface AbandonableAgent {
  readonly agent: http.Agent;
  /**
   * Destroys every connection with `reason` and fails any the client opens afterwards
   * (it may start the upload's PUT after its stream was destroyed), so nothing of the
   * upload stays alive. `reason.code` should be one the client does not retry.
   */
  abandon(reason: Error): void;
  /** Closes idle keep-alive connections once the upload is over. */
  close(): void;
}

export function abandonableAgent(secure: boolean): AbandonableAgent {
  const agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const connect = agent.createConnection.bind(agent);
  let abandonedBecause: Error | undefined;
  agent.createConnection = (options, callback) => {
    if (!abandonedBecause) return connect(options, callback);
    // On an error Node's agent ignores the stream argument, which the typings still demand.
    const fail = callback as ((error: Error) => void) | undefined;
    const reason = abandonedBecause;
    process.nextTick(() => fail?.(reason));
    return undefined;
  };
  return {
    agent,
    abandon(reason) {
      abandonedBecause = reason;
      for (const pool of [agent.sockets, agent.freeSockets]) {
        for (const sockets of Object.values(pool)) for (const socket of sockets ?? []) socket.destroy(reason);
      }
    },
    close: () => agent.destroy(),
  };
}
