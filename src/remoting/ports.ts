// A broker's port triplet: clients dial listenPort, the fast (VIP) channel is listenPort − 2, and slaves replicate
// from the HA port, listenPort + 1 unless haListenPort (RocketMQ 5) names another one. The configurator, the health
// check, the console's diagnostics and the Testcontainers module all ask here.

export interface BrokerPorts {
  listen: number;
  fast: number;
  ha: number;
}

/** Default listenPort of a broker. */
export const DEFAULT_LISTEN_PORT = 10911;

/** `haListenPort` of 0, absent or not a number means listenPort + 1 (the broker's own rule). */
export function brokerPorts(listenPort: number | string = DEFAULT_LISTEN_PORT, haListenPort?: number | string): BrokerPorts {
  const listen = Number(listenPort);
  const ha = Number(haListenPort ?? 0);
  return { listen, fast: listen - 2, ha: Number.isInteger(ha) && ha > 0 ? ha : listen + 1 };
}
