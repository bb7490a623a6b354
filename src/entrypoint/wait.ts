// RocketMQ's proxy exits at start when its cluster has no master broker (it creates a system topic on the
// masters), so before the JVM starts, `prepare` waits until a name server lists one. Compose files then need
// no dependency on broker services, whose names differ from one cluster layout to the next.
import type { Logger } from "pino";
import { splitNamesrvList } from "../remoting/address.ts";
import { clusterInfo, clusterMasters } from "../remoting/cluster.ts";
import { NoNamesrvAnsweredError, fromAnyNamesrv } from "../remoting/namesrv.ts";
import type { Requester } from "../remoting/connection.ts";

export interface WaitOptions {
  deadlineMs: number;
  intervalMs: number;
  /** How often the wait is logged. */
  logEveryMs: number;
  /** How the name servers are asked (TLS when the node has TLS_MODE); one plain connection per request by default. */
  requester?: Requester;
}

const DEFAULTS: WaitOptions = { deadlineMs: 300_000, intervalMs: 2_000, logEveryMs: 10_000 };

/** Resolves true once a name server in `namesrvAddr` lists a master of `cluster`; false at the deadline. */
export async function waitForMasters(
  namesrvAddr: string,
  cluster: string,
  log: Logger,
  options: Partial<WaitOptions> = {},
): Promise<boolean> {
  const { deadlineMs, intervalMs, logEveryMs, requester } = { ...DEFAULTS, ...options };
  const started = Date.now();
  let nextLog = 0;
  for (;;) {
    let problems: string[];
    try {
      const { namesrv, value: masters } = await fromAnyNamesrv(splitNamesrvList(namesrvAddr), async (namesrv) => {
        const info = await clusterInfo(namesrv, requester);
        const masters = clusterMasters(info, cluster);
        if (!masters.length)
          throw new Error(
            `${namesrv} lists no master of cluster ${cluster} (clusters: ${Object.keys(info.clusterAddrTable ?? {}).join(", ") || "none"})`,
          );
        return masters;
      });
      log.info(`${namesrv} lists the master broker(s) ${masters.join(", ")} of cluster ${cluster}; starting the proxy`);
      return true;
    } catch (e) {
      problems = e instanceof NoNamesrvAnsweredError ? e.failures : [(e as Error).message];
    }
    const waited = Date.now() - started;
    if (waited >= deadlineMs) {
      log.error(
        `no master broker of cluster ${cluster} after ${Math.round(waited / 1000)} s (${problems.join("; ")}); RocketMQ's proxy cannot start without one`,
      );
      return false;
    }
    if (waited >= nextLog) {
      log.info(`waiting for a master broker of cluster ${cluster}, without which RocketMQ's proxy exits: ${problems.join("; ")}`);
      nextLog = waited + logEveryMs;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
