// A fault schedule (nemesis) under a steady load of the official Java client on a running compose cluster: a
// producer sending and a consumer receiving at the same time, each writing its events, faults on broker-a's master
// (the group's elected master), on the name servers or on the whole cluster, and the checker's report at the end.
// Used by the chaos runner (run.ts: a mode brought up for it, faults in fixed slots over --duration) and by the
// mode tests (modes.ts: the short schedule on the cluster the suite already runs, each fault once the last one's
// effects are over).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GROUP_OF_THREE, byPort, clusterListing, type ClusterUnderTest } from "../integration/cluster.ts";
import { REPO_ROOT, docker, dockerOk, eventually, onHost, sh, uniqueId } from "../integration/harness.ts";
import type { ClusterInfo } from "../../src/remoting/cluster.ts";
import { pauseRetryingFreezer } from "../../src/testcontainers/freezer.ts";
import {
  AFTERMATH_MS,
  PROMISES,
  check,
  electionsInLogs,
  missedIds,
  parseEvents,
  withFailedNodes,
  withReread,
  type ChaosReport,
  type ClientEvent,
  type InjectedFault,
} from "./check.ts";

/** Each fault: the nodes (compose services) it hits, what it does to them, and how it is healed. */
interface Fault {
  nodes: (cluster: ClusterUnderTest, mode: string) => Promise<string[]>;
  /** `holdMs`: how long the fault will be held before it is healed. */
  inject: (nodes: string[], cluster: ClusterUnderTest, holdMs: number) => Promise<unknown>;
  /** A string it resolves with is logged (what the fault did); `injectedAt` is when the fault was injected. */
  heal: (nodes: string[], cluster: ClusterUnderTest, mode: string, injectedAt: number) => Promise<unknown>;
}

/** Whether the mode's broker group elects its master (DLedger, controller) rather than naming it. */
export function electsMaster(mode: string): boolean {
  return mode === "dledger" || mode === "controller";
}

/**
 * Broker log lines that tell a store cut short (a truncated log or consume queue, a crash's recovery, a rebuild) or
 * a pull moved past messages: a consume queue RocketMQ could not read (it answers with the next queue file's start),
 * or a commit log position it could not (it skips the pull's entries in that log file).
 */
const CLUE =
  /\[TRUNCATE\]|rebuild|truncateDirty|truncate dirty logic files|destroy a logic mapped file|recover.*abnormal|last stop was a crash|access logic queue failed|Correct nextBeginOffset|request pos invalid|hold failed/i;

/**
 * When a run broke its promise: each broker's log since `since` in test-artifacts/<name>-logs/, and the lines that
 * tell a store cut short from a message gone (DLedger rebuilding a follower's log at a leader's position, a
 * truncated commit log, consume queues cut back by a crashed broker's recovery), for the failure's message.
 */
export async function keepBrokerLogs(cluster: ClusterUnderTest, name: string, since: number): Promise<string> {
  const out = join(REPO_ROOT, "test-artifacts", `${name}-logs`);
  mkdirSync(out, { recursive: true });
  const clues: string[] = [];
  for (const [broker, log] of await brokerLogs(cluster, since)) {
    writeFileSync(join(out, `${broker}.log`), log);
    for (const line of log.split("\n")) if (CLUE.test(line)) clues.push(`${broker}: ${line.slice(0, 300)}`);
  }
  return clues.length ? clues.slice(0, 20).join("\n") : "no broker logged a truncation or a rebuild";
}

/** Each broker service with its log since `since` (ms). */
async function brokerLogs(cluster: ClusterUnderTest, since: number): Promise<[string, string][]> {
  const brokers = await services(cluster, "broker");
  return Promise.all(
    brokers.map(async (b): Promise<[string, string]> => {
      const log = await docker("logs", "--since", String(Math.floor(since / 1000)), cluster.container(b));
      return [b, log.stdout + log.stderr];
    }),
  );
}

/** The report as JSON in test-artifacts/<name>.json, with the RocketMQ version it ran against. */
export function writeReport(name: string, version: string, report: ChaosReport): void {
  const out = join(REPO_ROOT, "test-artifacts");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `${name}.json`), JSON.stringify({ version, ...report }, null, 2) + "\n");
}

/** The name servers the compose files publish on the host, in the order clients ask them. */
function hostNameServers(mode: string): string[] {
  return mode === "single" ? [onHost(9876)] : [onHost(9876), onHost(9877)];
}

/** The cluster as one name server lists it (signed with the cluster's credentials, if it has any). */
export function listedBy(cluster: ClusterUnderTest, namesrv: string): Promise<ClusterInfo> {
  return clusterListing(namesrv, cluster.credentials);
}

/**
 * broker-a's master now (the elected one in DLedger and controller modes): what the process and network faults hit.
 * Asked of each name server in the clients' order: one restarted by the name-server fault lists a broker only at
 * the broker's next registration (every 30 s), and the next one knows it meanwhile.
 */
async function master(cluster: ClusterUnderTest, mode: string): Promise<string[]> {
  if (!electsMaster(mode)) return [mode === "single" ? "broker" : "broker-a"];
  return [await eventually(() => electedMaster(cluster, mode), 60_000, 500)];
}

/** The elected master of broker-a that the first name server to list one names (elected modes); throws if none does. */
async function electedMaster(cluster: ClusterUnderTest, mode: string, not: string[] = []): Promise<string> {
  for (const namesrv of hostNameServers(mode)) {
    const address = (await listedBy(cluster, namesrv).catch(() => undefined))?.brokerAddrTable?.["broker-a"]?.brokerAddrs?.["0"];
    const service = address && byPort(GROUP_OF_THREE)(address);
    if (service && !not.includes(service)) return service;
  }
  throw new Error(
    `no name server (${hostNameServers(mode).join(", ")}) lists a master of broker-a${not.length ? ` other than ${not.join(", ")}` : ""}`,
  );
}

/** How long a killed elected master stays down at most, waiting for its group to elect another one. */
const ELECTION_LIMIT_MS = 60_000;

/**
 * Until broker-a's other members elect a master without `killed` (elected modes): a killed master started again
 * before that may win the next election itself (seen: DLedger's first two votes split, 12 s without a leader), and
 * then the schedule would have tested no failover. Resolves with what happened, for the log.
 */
async function othersElect(cluster: ClusterUnderTest, mode: string, killed: string[], killedAt: number): Promise<string> {
  try {
    const elected = await eventually(() => electedMaster(cluster, mode, killed), ELECTION_LIMIT_MS, 250);
    return `${elected} elected ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`;
  } catch {
    return `no other master elected within ${ELECTION_LIMIT_MS / 1000} s of the kill`;
  }
}

/** The mode's running services whose names start with `prefix`, sorted. */
export async function services(cluster: ClusterUnderTest, prefix: string): Promise<string[]> {
  return (await cluster.project.ok("ps", "--services"))
    .split("\n")
    .filter((s) => s && s.startsWith(prefix))
    .sort();
}

/** Every name server of the mode, by compose service. */
const nameServers = (cluster: ClusterUnderTest) => services(cluster, "namesrv");

/**
 * A rolling restart's order: the name servers one by one, then each broker group's other members before its
 * master (slaves; the followers of the elected master), as an operator upgrading the images would go.
 */
async function rollingOrder(cluster: ClusterUnderTest, mode: string): Promise<string[]> {
  const brokers = await services(cluster, "broker");
  const masters = new Set(electsMaster(mode) ? await master(cluster, mode) : brokers.filter((b) => !b.endsWith("-s")));
  return [...(await nameServers(cluster)), ...brokers.filter((b) => !masters.has(b)), ...brokers.filter((b) => masters.has(b))];
}

/** Every broker address a name server lists, sorted. */
export function brokerAddresses(info: ClusterInfo): string[] {
  return Object.values(info.brokerAddrTable ?? {})
    .flatMap((b) => Object.values(b.brokerAddrs ?? {}))
    .sort();
}

/** Until the name server `node` (asked at its container's address) lists each of `brokers`. */
async function listsEvery(cluster: ClusterUnderTest, node: string, brokers: string[]): Promise<void> {
  const ip = (await dockerOk("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", cluster.container(node)))
    .trim()
    .split(" ")[0];
  await eventually(
    async () => {
      const listed = new Set(brokerAddresses(await listedBy(cluster, `${ip}:9876`)));
      const missing = brokers.filter((b) => !listed.has(b));
      if (missing.length) throw new Error(`${node} does not list ${missing.join(", ")} yet`);
    },
    90_000,
    1000,
  );
}

/** Until every running node of the cluster reports healthy (a node without a health check counts as healthy). */
async function allHealthy(cluster: ClusterUnderTest): Promise<void> {
  const nodes = await services(cluster, "");
  await eventually(
    async () => {
      const states = await Promise.all(
        nodes.map(
          async (n) =>
            `${n}: ${(await dockerOk("inspect", "-f", "{{if .State.Health}}{{.State.Health.Status}}{{else}}healthy{{end}}", cluster.container(n))).trim()}`,
        ),
      );
      const unhealthy = states.filter((s) => !s.endsWith(": healthy"));
      if (unhealthy.length) throw new Error(`not healthy yet: ${unhealthy.join(", ")}`);
    },
    180_000,
    1000,
  );
}

/** The action on each node's container at once. */
const each = (action: (container: string) => Promise<unknown>) => (nodes: string[], cluster: ClusterUnderTest) =>
  Promise.all(nodes.map((n) => action(cluster.container(n))));

/** `docker pause`, tried again while the cgroup v1 freezer gives up (the fault was not injected then). */
const pause = (container: string): Promise<void> =>
  pauseRetryingFreezer(async () => {
    const r = await docker("pause", container);
    if (r.code !== 0) throw new Error(`docker pause ${container} exited ${r.code}\n${r.stderr}`);
  });

export const FAULTS: Record<string, Fault> = {
  // kill -9, then the node starts again on its volume; an elected master only once its group has elected another.
  kill: {
    nodes: master,
    inject: each((c) => dockerOk("kill", "-s", "KILL", c)),
    heal: async (nodes, cluster, mode, injectedAt) => {
      const elected = electsMaster(mode) ? await othersElect(cluster, mode, nodes, injectedAt) : undefined;
      await each((c) => dockerOk("start", c))(nodes, cluster);
      return elected;
    },
  },
  // Every process frozen (the cgroup freezer, as SIGSTOP), then thawed: a master that comes back after others moved on.
  pause: { nodes: master, inject: each(pause), heal: each((c) => dockerOk("unpause", c)) },
  // A clean stop and start: RocketMQ's shutdown hook runs.
  restart: { nodes: master, inject: each((c) => dockerOk("stop", "-t", "60", c)), heal: each((c) => dockerOk("start", c)) },
  // Cut off from every other node and client (its own network namespace drops all but loopback), then joined again
  // with the same address: for DLedger, its leader alone in the minority.
  partition: { nodes: master, inject: each((c) => isolation(c, "-I")), heal: each((c) => isolation(c, "-D")) },
  // One name server killed while the others (where the mode has more) answer; then started again.
  namesrv: {
    nodes: async (cluster) => (await nameServers(cluster)).slice(0, 1),
    inject: each((c) => dockerOk("kill", "-s", "KILL", c)),
    heal: each((c) => dockerOk("start", c)),
  },
  // Every name server stopped at once, then started: brokers register again, clients refresh their routes.
  namesrvs: { nodes: nameServers, inject: each((c) => dockerOk("stop", "-t", "10", c)), heal: each((c) => dockerOk("start", c)) },
  // Every node stopped cleanly and started again, one at a time, the whole cluster healthy before the next (no heal
  // of its own): a restarted name server knows the brokers only once each registers again (every 30 s), and until
  // then their health checks fail.
  rolling: {
    nodes: rollingOrder,
    inject: async (nodes, cluster) => {
      const brokers = brokerAddresses(await listedBy(cluster, onHost(9876)));
      for (const node of nodes) {
        await dockerOk("stop", "-t", "60", cluster.container(node));
        await dockerOk("start", cluster.container(node));
        // A broker's health check passes when any name server lists it: a restarted name server is waited for
        // until it lists every broker itself, before the next one stops.
        if (node.startsWith("namesrv")) await listsEvery(cluster, node, brokers);
        await allHealthy(cluster);
      }
    },
    heal: async () => {},
  },
  // Memory pressure on every master for as long as the fault is held (see pressure); healed when it ends. Every
  // schedule checks at its end that no node failed (failedNodes).
  memory: {
    nodes: async (cluster) => ((await services(cluster, "proxy")).length ? ["proxy"] : []),
    inject: (nodes, cluster, holdMs) => pressure.start(cluster, nodes.length > 0, holdMs),
    heal: (_, cluster) => pressure.stop(cluster),
  },
  // The whole cluster: `docker compose down` keeping its volumes, then `up --wait` (no node of its own).
  cluster: {
    nodes: async () => [],
    inject: (_, cluster) => cluster.project.ok("down", "-t", "60"),
    heal: async (_, cluster) => {
      // Compose's progress lines are not what the fault did: its time is.
      const t0 = Date.now();
      await cluster.project.ok("up", "-d", "--wait");
      return `up and healthy again in ${((Date.now() - t0) / 1000).toFixed(1)} s`;
    },
  },
};

/**
 * The memory fault's load: 2 MiB messages of random bytes (the producer compresses anything compressible above
 * 4 KiB) sent synchronously from 8 threads of the official Java client, through the proxy's remoting port where the
 * mode has one (the proxy holds them too), on a topic of their own. Each broker then holds 8 messages in flight
 * from the network, its store's encoders and its slave's replication at once, inside the compose file's memory
 * limit; the steady load keeps going beside it.
 */
const pressure = {
  running: new Map<ClusterUnderTest, Promise<{ code: number; stdout: string; stderr: string }>>(),
  async start(cluster: ClusterUnderTest, viaProxy: boolean, holdMs: number): Promise<void> {
    const topic = uniqueId("Pressure");
    await cluster.createTopic(topic);
    const args = ["--topic", topic, "--count", "1", "--mode", "perf", "--threads", "8", "--body-bytes", String(2 << 20)];
    const via = viaProxy ? ["--namesrv", onHost(8080)] : [];
    // The client's JVM start and its 2 s warm-up (sending too) come before the seconds it measures.
    const seconds = Math.max(1, Math.round(holdMs / 1000) - 3);
    this.running.set(cluster, cluster.hostClient([...args, "--seconds", String(seconds), ...via]));
  },
  /** Waits for the client's end; says how many messages it sent. */
  async stop(cluster: ClusterUnderTest): Promise<string> {
    const client = this.running.get(cluster);
    if (!client) return ""; // stopped already (a failed schedule heals the fault in progress once more)
    this.running.delete(cluster);
    const r = await client;
    // Sends that failed count against nothing here (the steady load's checker judges the mode); a client that
    // could not run at all means no pressure was applied.
    const perf = /^PERF (\{.*\})$/m.exec(r.stdout);
    if (!perf) throw new Error(`the memory fault's client did not run: ${r.stdout}${r.stderr}`);
    const { sent, failed, seconds, failures } = JSON.parse(perf[1]!) as {
      sent: number;
      failed: number;
      seconds: number;
      failures: Record<string, number>;
    };
    const why = Object.entries(failures).map(([reason, n]) => `${reason} × ${n}`);
    return `${sent} messages of 2 MiB acknowledged in the last ${seconds} s (after a 2 s warm-up), ${failed} failed${why.length ? ` (${why.join(", ")})` : ""}`;
  },
};

/** Each running node's restart count (Docker's, by its restart policy; a `docker start` does not count). */
async function restartCounts(cluster: ClusterUnderTest): Promise<Map<string, number>> {
  const nodes = await services(cluster, "");
  const counts = await Promise.all(
    nodes.map(async (n) => Number(await dockerOk("inspect", "-f", "{{.RestartCount}}", cluster.container(n)))),
  );
  return new Map(nodes.map((n, i) => [n, counts[i]!]));
}

/**
 * Each node that failed during the schedule (since `since`): OOM-killed by the kernel at the compose file's limit,
 * restarted by Docker's restart policy (the proxy's: after an OOM kill Docker clears that flag), not running though
 * it was when the schedule began, or a Java OutOfMemoryError in its log (heap or direct memory).
 */
async function failedNodes(cluster: ClusterUnderTest, atStart: Map<string, number>, since: number): Promise<string[]> {
  const found: string[] = [];
  for (const [service, restarts] of atStart) {
    const container = cluster.container(service);
    const state = (
      await dockerOk("inspect", "-f", "{{.State.Running}} {{.State.OOMKilled}} {{.State.ExitCode}} {{.RestartCount}}", container)
    ).trim();
    const [up, oomKilled, exitCode, count] = state.split(" ");
    if (oomKilled === "true") found.push(`${service}: OOM-killed (exit ${exitCode})`);
    else if (up !== "true") found.push(`${service}: not running (exit ${exitCode})`);
    // The `cluster` fault recreates containers (their count starts again at 0): only a rise counts.
    if (Number(count) > restarts)
      found.push(`${service}: restarted by Docker ${Number(count) - restarts} time(s) (it exited or was killed)`);
    // The error's class, not the flag's name (-XX:+ExitOnOutOfMemoryError is on the logged command line).
    const log = await sh("sh", [
      "-c",
      'docker logs --since "$2" "$1" 2>&1 | grep -m1 -E "java\\.lang\\.OutOfMemoryError|OutOfDirectMemoryError"',
      "-",
      container,
      String(Math.floor(since / 1000)),
    ]);
    if (log.stdout.trim()) found.push(`${service}: ${log.stdout.trim().slice(0, 300)}`);
  }
  return found;
}

/** Adds (-I) or removes (-D) the rules that drop a container's traffic, in its network namespace (as root). */
async function isolation(container: string, op: "-I" | "-D"): Promise<void> {
  const pid = (await dockerOk("inspect", "-f", "{{.State.Pid}}", container)).trim();
  const rule = async (...args: string[]) => {
    const r = await sh("nsenter", ["-t", pid, "-n", "iptables", ...args]);
    if (r.code !== 0) throw new Error(`iptables ${args.join(" ")} in ${container}: ${r.stderr}`);
  };
  for (const chain of ["INPUT", "OUTPUT"]) {
    // -I puts the DROP first and the loopback ACCEPT before it; -D removes both.
    await rule(op, chain, "-j", "DROP");
    await rule(op, chain, chain === "INPUT" ? "-i" : "-o", "lo", "-j", "ACCEPT");
  }
}

/** The fault names a schedule may hold; an unknown one is refused with the list. */
export function parseFaults(list: string): string[] {
  const faults = list.split(",").filter(Boolean);
  for (const f of faults) if (!FAULTS[f]) throw new Error(`--faults: ${f} is not one of ${Object.keys(FAULTS).join(", ")}`);
  if (!faults.length) throw new Error(`--faults: name at least one of ${Object.keys(FAULTS).join(", ")}`);
  return faults;
}

export interface ScheduleOptions {
  /** Fault names (FAULTS), in order; a name may come more than once. */
  faults: string[];
  /** How long each fault is held before it is healed. */
  faultMs: number;
  /**
   * Fixed slots: fault i is injected a fifth of the way into [i·slotMs, (i+1)·slotMs) of the schedule. Without it,
   * each fault comes once the last one's effects are over (its group acknowledges sends and messages arrive again).
   */
  slotMs?: number;
  /** Load after the last fault's healing and the last slot (its aftermath is measured), before the producer stops. */
  tailMs: number;
  /** Milliseconds between two sends. */
  intervalMs?: number;
  /** Progress lines (which fault, when). */
  log?: (line: string) => void;
}

/** The most a recovery is waited for before the next fault comes anyway (the report shows the stall). */
const RECOVERY_LIMIT_MS = 90_000;
/** How long the producer may take to finish the message it is on once told to stop, before it is aborted. */
const STOP_GRACE_MS = 90_000;

/** The most the load can last: the schedule with every fault held, waited for and healed, the tail, and slack. */
function loadLimitMs(o: ScheduleOptions): number {
  const perFault = o.faultMs + RECOVERY_LIMIT_MS + 120_000; // healing itself may take minutes (a whole cluster up)
  return (o.slotMs ?? 0) * o.faults.length + o.faults.length * perFault + o.tailMs + STOP_GRACE_MS + 120_000;
}

/**
 * Runs the faults under load on `cluster` (already up; `mode` names its promise and its master) and checks the
 * run: every message acknowledged, none lost; when the run's group missed some, a new group reads the topic again
 * to tell messages skipped by the group from messages gone.
 */
export async function runSchedule(cluster: ClusterUnderTest, mode: string, options: ScheduleOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => {});
  const intervalMs = options.intervalMs ?? 20;
  const topic = uniqueId("Chaos");
  await cluster.createTopic(topic);
  if (mode === "2m-2s-sync" || mode === "2m-2s-async") await cluster.replicating(topic);
  const runId = uniqueId("chaos");
  // A file per client: two processes appending to one could interleave their lines.
  const dir = mkdtempSync(join(tmpdir(), "chaos-"));
  const file = (name: string) => join(dir, name);
  const events = (name: string): ClientEvent[] => parseEvents(existsSync(file(name)) ? readFileSync(file(name), "utf8") : "");
  // The clients know every name server the host can reach (the compose files publish two: 9876 and 9877).
  const namesrvs = hostNameServers(mode).join(";");
  // --count is an upper bound: the producer stops when the stop file appears, the consumer once it says how many
  // (both at once when it says 0, on the way out of a failed schedule).
  const limitMs = loadLimitMs(options);
  const bound = Math.ceil(limitMs / intervalMs);
  const limitSeconds = String(Math.ceil(limitMs / 1000));
  const common = ["--namesrv", namesrvs, "--topic", topic, "--count", String(bound), "--run-id", runId, "--group", `chaos-${runId}`];
  const stop = ["--stop-file", file("stop")];
  const consuming = cluster.hostClient([
    ...common,
    ...stop,
    "--events",
    file("received"),
    "--mode",
    "consume",
    "--timeout-seconds",
    limitSeconds,
  ]);
  const sending = cluster.hostClient([
    ...common,
    ...stop,
    "--events",
    file("sent"),
    "--mode",
    "send",
    "--until-ok",
    "--interval-ms",
    String(intervalMs),
    "--timeout-seconds",
    limitSeconds,
  ]);

  const atStart = await restartCounts(cluster);
  const loadStartedAt = Date.now();
  const injected: InjectedFault[] = [];
  const abort = () => writeFileSync(file("stop"), "0\n");
  // A fault injected and not healed yet: healed on the way out of a failed schedule, for the tests that follow.
  let unhealed: (() => Promise<unknown>) | undefined;
  try {
    // The nemesis starts once the consumer receives (its start and first rebalance are not a fault's doing).
    let consumerEnded = false;
    void consuming.then(() => (consumerEnded = true));
    const received = () => events("received").some((e) => e.kind === "R");
    if (!(await until(() => received() || consumerEnded, 120_000)) || !received()) {
      throw new NothingReceivedError(
        consumerEnded
          ? "the consumer ended before it received anything"
          : "the consumer received nothing within 2 minutes of the load's start",
      );
    }
    const scheduleStart = Date.now();
    for (const [i, name] of options.faults.entries()) {
      if (options.slotMs !== undefined) {
        // A fault that outlasted its slot (a rolling restart, a whole cluster's start) still gets its aftermath
        // before the next one: otherwise the next fault's stall would be counted as this one's recovery.
        const lastHealedAt = injected.at(-1)?.healedAt ?? 0;
        await sleepUntil(Math.max(scheduleStart + i * options.slotMs + options.slotMs / 5, lastHealedAt + AFTERMATH_MS));
      }
      const fault = FAULTS[name]!;
      const nodes = await fault.nodes(cluster, mode);
      const target = nodes.length ? nodes.join(", ") : "every node";
      const injectedAt = Date.now();
      unhealed = () => fault.heal(nodes, cluster, mode, injectedAt);
      await fault.inject(nodes, cluster, options.faultMs);
      log(`${name} ${target} at ${((injectedAt - scheduleStart) / 1000).toFixed(1)} s`);
      await sleepUntil(injectedAt + options.faultMs);
      const note = await fault.heal(nodes, cluster, mode, injectedAt);
      if (typeof note === "string") log(`${name}: ${note}`);
      unhealed = undefined;
      const healedAt = Date.now();
      injected.push({ name, target, group: "broker-a", injectedAt, healedAt });
      if (options.slotMs === undefined) {
        // Over when broker-a acknowledges sends again and the consumer receives again, both after the healing.
        const recovered = await until(
          () =>
            events("sent").some((e) => e.kind === "A" && e.detail === "broker-a" && e.at > healedAt) &&
            events("received").some((e) => e.kind === "R" && e.at > healedAt),
          RECOVERY_LIMIT_MS,
        );
        log(
          `${name}: ${recovered ? `recovered ${((Date.now() - healedAt) / 1000).toFixed(1)} s after healing` : "not recovered within 90 s"}`,
        );
      }
    }
    // After the last slot, and after the last healing too: a fault that outlasted its slot (a whole cluster's `up`)
    // still gets its aftermath.
    const lastHealedAt = injected.at(-1)?.healedAt ?? scheduleStart;
    const tailFrom =
      options.slotMs === undefined ? Date.now() : Math.max(scheduleStart + options.faults.length * options.slotMs, lastHealedAt);
    await sleepUntil(tailFrom + options.tailMs);
  } catch (error) {
    // Both clients stop at once, so that no JVM outlives the failed schedule, and the fault in progress is healed.
    abort();
    await unhealed?.().catch((e: Error) => log(`healing after the failure failed too: ${e.message}`));
    const [sent, consumed] = await Promise.all([sending, consuming]);
    // What the clients said is the only clue to why nothing was received (the consumer's events file is empty): a
    // consumer that never got its queues, or a producer whose sends all failed.
    if (error instanceof NothingReceivedError) {
      const acknowledged = events("sent").filter((e) => e.kind === "A").length;
      error.message +=
        `; the consumer (exit ${consumed.code}) said: ${(consumed.stdout + consumed.stderr).slice(-2000)}` +
        `\nthe producer had ${acknowledged} sends acknowledged (exit ${sent.code}) and said: ${(sent.stdout + sent.stderr).slice(-2000)}`;
    }
    throw error;
  }
  writeFileSync(file("stop"), "");
  const loadEndedAt = Date.now();
  // A producer still retrying a message no broker takes is aborted after a grace period.
  const grace = setTimeout(abort, STOP_GRACE_MS);
  const sent = await sending;
  clearTimeout(grace);
  const count = Number(/SENT (\d+)/.exec(sent.stdout)?.[1] ?? -1);
  if (sent.code !== 0 || count < 0) {
    abort();
    await consuming;
    throw new Error(`the producer did not end the load cleanly (exit ${sent.code}): ${sent.stdout}${sent.stderr}`);
  }
  // The consumer's target, written whole (it reads the file while it is written).
  writeFileSync(file("stop.next"), `${count}\n`);
  renameSync(file("stop.next"), file("stop"));
  const received = await consuming;
  log(`${sent.stdout.trim()}\n${received.stdout.trim()}`);
  const all = [...events("sent"), ...events("received")];
  // The consumer's own account (its retries, the client library's errors), when its group missed messages.
  if (missedIds(all).length) log(`the consumer said (its last lines): ${received.stderr.trim().split("\n").slice(-30).join("\n")}`);
  let report = check(mode, count, all, injected, loadEndedAt);
  if (count > 0) {
    // What the store still holds: a new group reads the whole run from the topic's start. It tells messages the
    // run's group skipped from messages gone, and finds those the group received before a replica threw them away.
    const reread = file("reread");
    await cluster.hostClient([
      ...common.slice(0, 4),
      "--count",
      String(count),
      "--run-id",
      runId,
      "--group",
      `reread-${runId}`,
      "--events",
      reread,
      "--mode",
      "consume",
      "--timeout-seconds",
      "90",
      // Every broker is up and every message stored by now: what has not come 10 s after the last new one is not
      // there (a mode that may lose the write in flight otherwise waited the whole 90 s for it).
      "--quiet-seconds",
      "10",
    ]);
    // Controller mode: the elections its brokers logged, for what a deposed master acknowledged meanwhile.
    const elections = PROMISES[mode]?.inFlightPerDeposition
      ? electionsInLogs((await brokerLogs(cluster, loadStartedAt)).map(([, log]) => log))
      : [];
    report = withReread(report, all, new Set(events("reread").flatMap((e) => (e.kind === "R" ? [e.index] : []))), elections);
  }
  return { ...withFailedNodes(report, await failedNodes(cluster, atStart, loadStartedAt)), topic };
}

/** The load's consumer never received a message: the schedule could not start. */
class NothingReceivedError extends Error {}

/** Polls `done` every 250 ms until it holds (true) or `limitMs` passes (false: the caller decides what that means). */
async function until(done: () => boolean, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (done()) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

function sleepUntil(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
}
