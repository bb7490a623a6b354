// RocketMQ's proxy exits at start when its cluster has no master broker (it creates a system topic on the
// masters), so before the JVM starts, `prepare` waits until a name server lists one. Compose files then need
// no dependency on broker services, whose names differ from one cluster layout to the next.
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
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

/** How long `prepare` waits for a broker's advertised names to resolve. */
export const NAME_WAIT_MS = 120_000;

/** How a host name is resolved; `dns.lookup` by default (the resolver RocketMQ's JVM uses too). */
export type Lookup = (host: string) => Promise<unknown>;

/**
 * RocketMQ resolves a broker's advertised names once, when it starts: a brokerIP1 that does not resolve yet (a
 * Kubernetes pod's DNS name a moment before cluster DNS lists it) leaves the broker unable to store messages until
 * it restarts. So before the JVM starts, `prepare` waits until every advertised name resolves. Returns the names
 * that still do not at the deadline (empty: all resolve).
 */
export async function waitUntilResolvable(
  names: { variable: string; host: string }[],
  log: Logger,
  options: { timeoutMs?: number; intervalMs?: number; reportEveryMs?: number; lookup?: Lookup } = {},
): Promise<{ variable: string; host: string }[]> {
  const { timeoutMs = NAME_WAIT_MS, intervalMs = 1_000, reportEveryMs = 10_000 } = options;
  const lookup = options.lookup ?? ((host: string) => dnsLookup(host));
  const started = Date.now();
  let reported = 0;
  // Each name once (brokerIP2 is often brokerIP1), under the first variable that gives it.
  let pending = names.filter((n, i) => isIP(n.host) === 0 && names.findIndex((m) => m.host === n.host) === i);
  for (;;) {
    const results = await Promise.all(
      pending.map((n) =>
        lookup(n.host).then(
          () => true,
          () => false,
        ),
      ),
    );
    pending = pending.filter((_, i) => !results[i]);
    const waited = Date.now() - started;
    if (pending.length === 0 || waited >= timeoutMs) return pending;
    if (waited >= reported) {
      log.info(
        `waiting for ${pending.map((n) => `${n.host} (${n.variable})`).join(", ")} to resolve: RocketMQ resolves its advertised address once, at start`,
      );
      reported = waited + reportEveryMs;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
