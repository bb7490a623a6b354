// One-shot remoting requests (health checks, diagnostics, test set-up) and the request codes this project uses.
import { RemotingConnection, type RemotingResponse, type RequestOptions } from "./connection.ts";

export { splitAddress, type RemotingResponse } from "./connection.ts";

export const RequestCode = {
  UPDATE_AND_CREATE_TOPIC: 17,
  GET_BROKER_RUNTIME_INFO: 28,
  GET_ROUTEINFO_BY_TOPIC: 105,
  GET_BROKER_CLUSTER_INFO: 106,
} as const;

/** One request on a fresh connection, closed afterwards. */
export async function request(address: string, code: number, options: RequestOptions = {}): Promise<RemotingResponse> {
  const connection = new RemotingConnection(address, options.timeoutMs);
  try {
    return await connection.request(code, options);
  } finally {
    connection.close();
  }
}
