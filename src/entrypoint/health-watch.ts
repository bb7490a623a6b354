// The health check without a Node start per check. Starting Node for every HEALTHCHECK costs tens of milliseconds
// of CPU, every 5 s, in every container. Instead one long-lived process, started beside the JVM by the entrypoint,
// runs the same check on a timer over connections it keeps, and replaces `<runtime dir>/health` with its verdict:
//
//   healthy|unhealthy <valid until> <detail>
//
// "Valid until" is in seconds of the machine's uptime (/proc/uptime, which a shell reads without starting a
// program), so docker-entrypoint's `healthcheck` tells a fresh verdict from a stale one with shell built-ins
// alone, and runs the full check itself when the verdict is stale (the watcher died or hangs) or missing.
import { readFileSync } from "node:fs";
import { CONF_FILE_NAME } from "../configurator/file-names.ts";
import { brokerConfig, updateBrokerConfig, type HaStatus } from "../remoting/admin.ts";
import type { RemotingClient } from "../remoting/connection.ts";
import { electsRole, isControllerMode, judge, namesrvsNotListing, ownClient, propertiesFile, type Verdict } from "./healthcheck.ts";
import { writePrivateFile } from "./runtime-files.ts";
import { LEASE_POINTER, RENEW_EVERY_MS, renewLease } from "./store-lease.ts";

export const HEALTH_FILE = "health";
/** How often the watcher checks: briskly until the node is first healthy, so that it is reported soon after. */
export const WATCH_INTERVAL_MS = { starting: 500, healthy: 2_000 };
/** How long a verdict stands: the next one is due in 2 s, and a slow check (name servers timing out) takes longer. */
export const VALID_SECONDS = 10;

/** The line the watcher writes; the shell reads its first two words and prints the rest. */
export function verdictLine(verdict: Verdict, uptimeSeconds: number): string {
  const detail = verdict.detail.replace(/\s+/g, " ").trim();
  return `${verdict.healthy ? "healthy" : "unhealthy"} ${Math.floor(uptimeSeconds) + VALID_SECONDS} ${detail}\n`;
}

/** Whole seconds since the machine booted, as the shell reads them (the integer part of /proc/uptime's first field). */
export function uptimeSeconds(read: (path: string) => string = (p) => readFileSync(p, "utf8")): number {
  return Math.floor(Number(read("/proc/uptime").split(" ")[0]));
}

/**
 * A broker that a name server does not list is asked to register at once, rather than at RocketMQ's own next
 * registration (every 30 s): setting `brokerPermission` to its own value makes it register with the name servers
 * its client has found reachable (AdminBrokerProcessor). Two cases:
 * - starting, it answers but no name server lists it, check after check. RocketMQ 5's broker registers as it boots
 *   only with the name servers its remoting client has already reached (BrokerOuterAPI.registerBrokerAll asks for
 *   the "available" ones, which a scan on the client's timer finds); when its boot outruns that scan, the
 *   registration is skipped without a word and the broker is listed only at the next one, 10 s later.
 * - healthy, a name server that answers does not list it: one restarted since. Until every broker registered
 *   again it hands out partial routes: a consumer that meets a route without a group drops the group's queues, and
 *   when a later route has the group's slave but not yet its master, it takes them back reading its offsets from
 *   the slave (RemoteBrokerOffsetStore falls back to any broker of the group), whose copy of them is up to a minute
 *   old (a master/slave pair's): what it had consumed since is delivered again.
 * A name server that does not answer is not counted then (the broker cannot register with it). The wait leaves a
 * registration in flight the time to land; while the broker stays unlisted (a name server that lists another broker
 * at its address), the prompts back off.
 */
export const REGISTRATION_PROMPT = { afterUnlistedMs: 1_000, everyMs: 3_000, atMostEveryMs: 60_000 };

/**
 * Whether a broker is prompted: one that writes changed settings to a file of its own (`brokerConfigPath`,
 * RocketMQ 5), not over its rendered config file (RocketMQ 4.9.7 has neither the key nor the skipped
 * registration), and whose role is its own: not a DLedger or controller-mode broker, whose group elects its master.
 * Those register once elected; prompted later, a master just deposed (paused, cut off) that no name server lists
 * any more would register as master again before it learns its new role, and take sends it then loses.
 */
export function promptsRegistration(conf: Map<string, string>): boolean {
  return conf.has("brokerConfigPath") && !electsRole(conf);
}

/**
 * Whether a controller-mode replica is prompted while it does not know where to replicate from. A replica learns
 * its master's HA address only from a name server's answer to its own registration; when it changed role before
 * the elected master registered (RocketMQ 5.5.0's new master registers once its HA client has stopped, about 5 s
 * after its election), it asks again only on its own timer, 30 s later, and the master's SyncStateSet stays
 * itself alone meanwhile (which, with minInSyncReplicas=2, refuses writes). A replica registers as a replica, so
 * this prompt cannot make a deposed master look elected; a broker that believes it is master is never prompted.
 */
export function promptsReplicaRegistration(conf: Map<string, string>): boolean {
  return conf.has("brokerConfigPath") && isControllerMode(conf);
}

/** How often a controller-mode replica without its master's HA address is asked to register again. */
export const REPLICA_PROMPT_EVERY_MS = 2_000;

/** A controller-mode replica that answered as a replica (its HA status, from the verdict) and has no master HA address. */
export function replicaWithoutMaster(ha: HaStatus | undefined): boolean {
  return ha !== undefined && !ha.master && !ha.haClientRuntimeInfo?.masterAddr;
}

/** The wait before the next prompt, after `prompts` in a row without the broker listed. */
export function promptInterval(prompts: number): number {
  return Math.min(REGISTRATION_PROMPT.everyMs * 2 ** Math.max(0, prompts - 1), REGISTRATION_PROMPT.atMostEveryMs);
}

/** Has the broker register now, with the permission it has; a broker that refuses is left to its own schedule. */
async function promptRegistration(client: RemotingClient, conf: Map<string, string>): Promise<void> {
  const broker = `127.0.0.1:${conf.get("listenPort")}`;
  const { brokerPermission } = await brokerConfig(client, broker);
  if (brokerPermission) await updateBrokerConfig(client, broker, { brokerPermission });
}

/** Checks for as long as the process lives; never resolves. */
export async function watchHealth(runtimeDir: string): Promise<never> {
  // The entrypoint's "starting" verdict (or an old one, after a restart) stands until the first check replaces it.
  const file = `${runtimeDir}/${HEALTH_FILE}`;
  const client = ownClient(runtimeDir);
  // A broker's store lease (store-lease.ts), renewed while this container runs. On a timer, not with each check:
  // a check waits 3 s for each silent name server, which adds up past what another broker waits for a renewal.
  let lease: string | undefined;
  try {
    lease = readFileSync(`${runtimeDir}/${LEASE_POINTER}`, "utf8").trim() || undefined;
  } catch {
    lease = undefined;
  }
  if (lease) {
    const held = lease;
    renewLease(held);
    setInterval(() => renewLease(held), RENEW_EVERY_MS);
  }
  let everHealthy = false;
  let unlistedSince: number | undefined;
  let promptedAt = 0;
  let prompts = 0;
  let prompting: Promise<unknown> | undefined;
  let replicaPromptedAt = 0;
  let replicaPrompts = 0;
  let conf: Map<string, string> | undefined;
  for (;;) {
    const verdict = await judge(runtimeDir, client);
    writePrivateFile(file, verdictLine(verdict, uptimeSeconds()));
    everHealthy ||= verdict.healthy;
    conf ??= brokerConf(runtimeDir);
    const prompted = conf && promptsRegistration(conf) ? conf : undefined;
    // Starting: until one lists it (as the verdict asks). Healthy: each name server is asked, one down not counted.
    const missing = !prompted ? [] : everHealthy ? await namesrvsNotListing(prompted, client) : verdict.unlisted ? ["any name server"] : [];
    const now = Date.now();
    unlistedSince = missing.length ? (unlistedSince ?? now) : undefined;
    if (unlistedSince === undefined) prompts = 0;
    else if (now - unlistedSince >= REGISTRATION_PROMPT.afterUnlistedMs && now - promptedAt >= promptInterval(prompts)) {
      promptedAt = now;
      prompts++;
      // Not waited for: the broker answers once it has registered, which waits on every name server (up to
      // registerBrokerTimeoutMills), and the verdict must not go stale meanwhile.
      if (!prompting && prompted) {
        if (everHealthy) console.log(`health-watch: not listed by ${missing.join(", ")}; asking the broker to register again`);
        const done = () => (prompting = undefined);
        prompting = promptRegistration(client, prompted).then(done, done);
      }
    }
    const replica = conf && promptsReplicaRegistration(conf) ? conf : undefined;
    if (replica && !prompting && now - replicaPromptedAt >= REPLICA_PROMPT_EVERY_MS) {
      if (replicaWithoutMaster(verdict.ha)) {
        replicaPromptedAt = now;
        if (everHealthy && replicaPrompts++ === 0)
          console.log("health-watch: a replica without its master's HA address; asking the broker to register again");
        const done = () => (prompting = undefined);
        prompting = promptRegistration(client, replica).then(done, done);
      } else replicaPrompts = 0;
    }
    await new Promise((r) => setTimeout(r, everHealthy ? WATCH_INTERVAL_MS.healthy : WATCH_INTERVAL_MS.starting));
  }
}

/** The broker's rendered broker.conf; undefined for another role or while it is unreadable. */
function brokerConf(runtimeDir: string): Map<string, string> | undefined {
  if (process.env.RMQ_ROLE !== "broker") return undefined;
  try {
    return propertiesFile(`${runtimeDir}/${CONF_FILE_NAME.broker}`);
  } catch {
    return undefined;
  }
}
