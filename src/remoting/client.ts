// One-shot remoting requests (health checks, diagnostics, test set-up): a fresh connection per request.
import type { Credentials } from "./auth.ts";
import { RemotingConnection, type ConnectionOptions, type Requester, type RemotingResponse, type RequestOptions } from "./connection.ts";

/** One request on a fresh connection, closed afterwards. */
export async function request(address: string, code: number, options: RequestOptions = {}): Promise<RemotingResponse> {
  const connection = new RemotingConnection(address, options.timeoutMs);
  try {
    return await connection.request(code, options);
  } finally {
    connection.close();
  }
}

/** `request` as a Requester, for the vocabulary's functions when no pooled client is at hand. */
export const oneShot: Requester = { request };

/** One-shot requests over connections with `options` (TLS). */
export function oneShotWith(options: ConnectionOptions): Requester {
  return {
    async request(address, code, requestOptions = {}) {
      const connection = new RemotingConnection(address, requestOptions.timeoutMs, options);
      try {
        return await connection.request(code, requestOptions);
      } finally {
        connection.close();
      }
    },
  };
}

/** `requester` with every request signed by `credentials` (unless a request brings its own); itself without them. */
export function signing(requester: Requester, credentials: Credentials | undefined): Requester {
  if (!credentials) return requester;
  return { request: (address, code, options = {}) => requester.request(address, code, { credentials, ...options }) };
}

/** `requester` with `timeoutMs` for every request that does not bring its own. */
export function withTimeout(requester: Requester, timeoutMs: number): Requester {
  return { request: (address, code, options = {}) => requester.request(address, code, { timeoutMs, ...options }) };
}
