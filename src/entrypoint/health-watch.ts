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
import { brokerConfig, updateBrokerConfig } from "../remoting/admin.ts";
import type { RemotingClient } from "../remoting/connection.ts";
import { judge, ownClient, propertiesFile, type Verdict } from "./healthcheck.ts";
import { writePrivateFile } from "./runtime-files.ts";
import { LEASE_POINTER, renewLease } from "./store-lease.ts";

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
 * A starting broker that answers but that no name server lists, check after check, is asked to register at once.
 * RocketMQ 5's broker registers as it boots only with the name servers its remoting client has already reached
 * (BrokerOuterAPI.registerBrokerAll asks for the "available" ones, which a scan on the client's timer finds); when
 * its boot outruns that scan, the registration is skipped without a word and the broker is listed only at the next
 * one, 10 s later. Setting `brokerPermission` to its own value makes it register (AdminBrokerProcessor). The wait
 * leaves a registration in flight the time to land.
 */
export const REGISTRATION_PROMPT = { afterUnlistedMs: 1_000, everyMs: 3_000 };

/**
 * Whether a broker is prompted: one that registers as it boots (DLedger and controller-mode brokers register once
 * their group elected) and that writes changed settings to a file of its own (`brokerConfigPath`, RocketMQ 5),
 * not over its rendered config file. RocketMQ 4.9.7 has neither the key nor the skipped registration.
 */
export function promptsRegistration(conf: Map<string, string>): boolean {
  return conf.has("brokerConfigPath") && conf.get("enableDLegerCommitLog") !== "true" && conf.get("enableControllerMode") !== "true";
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
  // A broker's store lease (store-lease.ts): renewed with each check while this container runs.
  let lease: string | undefined;
  try {
    lease = readFileSync(`${runtimeDir}/${LEASE_POINTER}`, "utf8").trim() || undefined;
  } catch {
    lease = undefined;
  }
  let everHealthy = false;
  let unlistedSince: number | undefined;
  let promptedAt = 0;
  for (;;) {
    if (lease) renewLease(lease);
    const verdict = await judge(runtimeDir, client);
    writePrivateFile(file, verdictLine(verdict, uptimeSeconds()));
    everHealthy ||= verdict.healthy;
    const now = Date.now();
    unlistedSince = verdict.unlisted ? (unlistedSince ?? now) : undefined;
    if (
      !everHealthy &&
      unlistedSince !== undefined &&
      now - unlistedSince >= REGISTRATION_PROMPT.afterUnlistedMs &&
      now - promptedAt >= REGISTRATION_PROMPT.everyMs
    ) {
      promptedAt = now;
      const conf = brokerConf(runtimeDir);
      if (conf && promptsRegistration(conf)) await promptRegistration(client, conf).catch(() => undefined);
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
