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
import { judge, ownClient, type Verdict } from "./healthcheck.ts";
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
  for (;;) {
    if (lease) renewLease(lease);
    const verdict = await judge(runtimeDir, client);
    writePrivateFile(file, verdictLine(verdict, uptimeSeconds()));
    everHealthy ||= verdict.healthy;
    await new Promise((r) => setTimeout(r, everHealthy ? WATCH_INTERVAL_MS.healthy : WATCH_INTERVAL_MS.starting));
  }
}
