// The chaos runner: a compose mode under a steady load of the official Java client (a producer sending and a
// consumer receiving at the same time, each writing its events), a schedule of faults (on broker-a's master, or the
// group's elected master; on one or every name server; on the whole cluster), and the checker's report: acknowledged,
// lost, duplicated, the longest time without a send or a receive, and how soon each fault let them resume.
//   npm run chaos -- --mode 2m-2s-sync [--faults kill,pause,restart,partition,namesrv,namesrvs,cluster] [--duration 120]
//                    [--fault-seconds 15] [--version 5.5.0] [--keep]
// Writes test-artifacts/chaos-<mode>.json; exits 1 when the mode broke its promise (check.ts).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ClusterUnderTest } from "../integration/cluster.ts";
import { REPO_ROOT, dockerOk, sh, uniqueId } from "../integration/harness.ts";
import { GROUP_OF_THREE, byPort, masterNode } from "../integration/modes.ts";
import { check, missedIds, parseEvents, renderReport, withReread, type ChaosReport, type InjectedFault } from "./check.ts";
import { readResult, writeResult } from "../../bench/results.ts";

const { values } = parseArgs({
  options: {
    mode: { type: "string", default: "2m-2s-sync" },
    faults: { type: "string", default: "kill,pause,restart" },
    duration: { type: "string", default: "120" },
    "fault-seconds": { type: "string", default: "15" },
    version: { type: "string" },
    // Leave the cluster up afterwards, to look into a broken promise (`docker compose -p rmqtest-<mode>-<version> down -v` ends it).
    keep: { type: "boolean", default: false },
  },
});
const mode = values.mode;
const NAMESRVS: Record<string, string> = {
  single: "namesrv:9876",
  controller: "namesrv-1:9876;namesrv-2:9876;namesrv-3:9876",
};
/** broker-a's master now (the elected one in DLedger and controller modes): what the process and network faults hit. */
const master = async (cluster: ClusterUnderTest) => [
  mode === "dledger" || mode === "controller"
    ? await masterNode(cluster, byPort(GROUP_OF_THREE))
    : mode === "single"
      ? "broker"
      : "broker-a",
];
/** Every name server of the mode, by compose service. */
const nameServers = async (cluster: ClusterUnderTest) =>
  (await cluster.project.ok("ps", "--services")).split("\n").filter((s) => s.startsWith("namesrv"));

/** Each fault: the nodes it hits, what it does to their containers, and how it is healed. */
interface Fault {
  nodes: (cluster: ClusterUnderTest) => Promise<string[]>;
  inject: (containers: string[], cluster: ClusterUnderTest) => Promise<unknown>;
  heal: (containers: string[], cluster: ClusterUnderTest) => Promise<unknown>;
}
const each = (action: (c: string) => Promise<unknown>) => (containers: string[]) => Promise.all(containers.map(action));
const FAULTS: Record<string, Fault> = {
  // kill -9, then the node starts again on its volume.
  kill: { nodes: master, inject: each((c) => dockerOk("kill", "-s", "KILL", c)), heal: each((c) => dockerOk("start", c)) },
  // Every process frozen (the cgroup freezer, as SIGSTOP), then thawed: a master that comes back after others moved on.
  pause: { nodes: master, inject: each((c) => dockerOk("pause", c)), heal: each((c) => dockerOk("unpause", c)) },
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
  // The whole cluster: `docker compose down` keeping its volumes, then `up --wait` (no node of its own).
  cluster: {
    nodes: async () => [],
    inject: (_, cluster) => cluster.project.ok("down", "-t", "60"),
    heal: (_, cluster) => cluster.project.ok("up", "-d", "--wait"),
  },
};

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

const faults = values.faults.split(",").filter(Boolean);
for (const f of faults) if (!FAULTS[f]) throw new Error(`--faults: ${f} is not one of ${Object.keys(FAULTS).join(", ")}`);
const durationMs = Number(values.duration) * 1000;
const faultMs = Number(values["fault-seconds"]) * 1000;
const intervalMs = 20;
// The load outlasts the schedule, which starts only once the consumer receives: a minute more of messages.
const count = Math.round((durationMs + 60_000) / intervalMs);

const cluster = new ClusterUnderTest(mode, { version: values.version, networkNamesrv: NAMESRVS[mode] ?? "namesrv-1:9876;namesrv-2:9876" });
console.log(`${cluster.label}: up in ${(await cluster.up()).toFixed(1)} s`);
try {
  const topic = "ChaosTopic";
  await cluster.createTopic(topic);
  if (mode === "2m-2s-sync" || mode === "2m-2s-async") await cluster.replicating(topic);
  const runId = uniqueId("chaos");
  // A file per client: two processes appending to one could interleave their lines.
  const dir = mkdtempSync(join(tmpdir(), "chaos-"));
  // The clients know every name server the host can reach (the compose files publish two: 9876 and 9877).
  const namesrvs = mode === "single" ? "localhost:9876" : "localhost:9876;localhost:9877";
  // How long the load may take: each send waits for its acknowledgement before the interval (a synchronous
  // replica adds milliseconds), and a fault may hold every send (a whole cluster down and up: a minute or more).
  const loadSeconds = Math.ceil((count * (intervalMs + 40)) / 1000 + faults.length * (faultMs / 1000 + 90) + 120);
  const common = ["--namesrv", namesrvs, "--topic", topic, "--count", String(count), "--run-id", runId, "--group", `chaos-${runId}`];
  const consuming = cluster.hostClient([
    ...common,
    "--events",
    join(dir, "received"),
    "--mode",
    "consume",
    "--timeout-seconds",
    String(loadSeconds + 60),
  ]);
  const sending = cluster.hostClient([
    ...common,
    "--events",
    join(dir, "sent"),
    "--mode",
    "send",
    "--until-ok",
    "--interval-ms",
    String(intervalMs),
    "--timeout-seconds",
    String(loadSeconds),
  ]);

  // The nemesis starts once the consumer receives (its start and first rebalance are not a fault's doing): one
  // fault per slot of the duration, a fifth of the way in, held for --fault-seconds.
  await receiving(join(dir, "received"));
  const injected: InjectedFault[] = [];
  const slotMs = durationMs / Math.max(1, faults.length);
  const started = Date.now();
  for (const [i, name] of faults.entries()) {
    await sleepUntil(started + i * slotMs + slotMs / 5);
    const fault = FAULTS[name]!;
    const nodes = await fault.nodes(cluster);
    const containers = nodes.map((n) => cluster.container(n));
    const target = nodes.length ? nodes.join(", ") : "every node";
    const injectedAt = Date.now();
    await fault.inject(containers, cluster);
    console.log(`${name} ${target} at ${((injectedAt - started) / 1000).toFixed(1)} s`);
    await sleepUntil(injectedAt + faultMs);
    await fault.heal(containers, cluster);
    injected.push({ name, target, group: "broker-a", injectedAt, healedAt: Date.now() });
  }
  const [sent, received] = await Promise.all([sending, consuming]);
  console.log(sent.stdout.trim(), "\n", received.stdout.trim());
  const events = ["sent", "received"].flatMap((f) => parseEvents(readFileSync(join(dir, f), "utf8")));
  let report = check(mode, count, events, injected);
  const missed = missedIds(events);
  if (missed.length) {
    // Gone from the store, or skipped by the group? A new group reads the whole run from the topic's start.
    const reread = join(dir, "reread");
    await cluster.hostClient([...common, "--group", `reread-${runId}`, "--events", reread, "--mode", "consume", "--timeout-seconds", "90"]);
    const again = new Set(
      parseEvents(existsSync(reread) ? readFileSync(reread, "utf8") : "").flatMap((e) => (e.kind === "R" ? [e.index] : [])),
    );
    report = withReread(report, missed, again);
  }
  console.log(renderReport(report));
  const out = join(REPO_ROOT, "test-artifacts");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `chaos-${mode}.json`), JSON.stringify({ version: cluster.version, ...report }, null, 2) + "\n");
  recordFigures(report);
  process.exitCode = report.kept ? 0 : 1;
} finally {
  if (values.keep) console.log(`left up: docker compose -p ${cluster.project.name} down -v`);
  else await cluster.down();
}

/** This mode's figures in bench/results/chaos.json, next to the other modes' last runs (for the docs' table). */
function recordFigures(r: ChaosReport): void {
  const seconds = (ms: number | null) => (ms === null ? -1 : Number((ms / 1000).toFixed(1)));
  const figures = Object.fromEntries(Object.entries(readResult("chaos")?.figures ?? {}).filter(([k]) => !k.startsWith(`${mode}.`)));
  Object.assign(figures, {
    [`${mode}.durationSeconds`]: durationMs / 1000,
    [`${mode}.faultSeconds`]: faultMs / 1000,
    [`${mode}.acknowledged`]: r.acknowledged,
    [`${mode}.lost`]: r.lost,
    [`${mode}.skipped`]: r.skipped ?? 0,
    [`${mode}.duplicated`]: r.duplicated,
    [`${mode}.longestSendGapSeconds`]: seconds(r.longestSendGapMs),
    [`${mode}.longestConsumeGapSeconds`]: seconds(r.longestConsumeGapMs),
    [`${mode}.kept`]: r.kept ? 1 : 0,
  });
  for (const f of r.faults) {
    figures[`${mode}.${f.name}.sendStallSeconds`] = seconds(f.sendStallMs);
    figures[`${mode}.${f.name}.consumeStallSeconds`] = seconds(f.consumeStallMs);
    figures[`${mode}.${f.name}.groupBackSeconds`] = seconds(f.groupBackAfterMs);
  }
  writeResult("chaos", figures);
}

/** Waits until the consumer's events file has a message in it (two minutes at most). */
async function receiving(file: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (parseEvents(existsSync(file) ? readFileSync(file, "utf8") : "").some((e) => e.kind === "R")) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("the consumer received nothing within 2 minutes of the load's start");
}

function sleepUntil(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
}
