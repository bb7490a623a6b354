// RocketMQ's proxy exits at start when its cluster has no master broker (it creates a system topic on the
// masters), so before the JVM starts, `prepare` waits until a name server lists one. Compose files then need
// no dependency on broker services, whose names differ from one cluster layout to the next.
import type { Logger } from "pino";
import { splitNamesrvList } from "../remoting/address.ts";
import { ClusterWaitTimeout, waitForMasters, type WaitOptions } from "../remoting/cluster.ts";
import type { Requester } from "../remoting/connection.ts";

const DEFAULTS: WaitOptions = { timeoutMs: 300_000, intervalMs: 2_000, reportEveryMs: 10_000 };

/** Resolves true once a name server in `namesrvAddr` lists a master of `cluster`; false at the deadline. */
export async function waitForClusterMasters(
  namesrvAddr: string,
  cluster: string,
  log: Logger,
  options: Partial<WaitOptions> & { requester?: Requester } = {},
): Promise<boolean> {
  const started = Date.now();
  try {
    const { namesrv, masters } = await waitForMasters(splitNamesrvList(namesrvAddr), {
      ...DEFAULTS,
      ...options,
      cluster,
      onWaiting: (why) => log.info(`waiting for a master broker of cluster ${cluster}, without which RocketMQ's proxy exits: ${why}`),
    });
    log.info(`${namesrv} lists the master broker(s) ${masters.map((m) => m.address).join(", ")} of cluster ${cluster}; starting the proxy`);
    return true;
  } catch (e) {
    if (!(e instanceof ClusterWaitTimeout)) throw e;
    log.error(
      `no master broker of cluster ${cluster} after ${Math.round((Date.now() - started) / 1000)} s (${e.why}); RocketMQ's proxy cannot start without one`,
    );
    return false;
  }
}
