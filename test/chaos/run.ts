// The chaos runner: a compose mode under a steady load of the official Java client (a producer sending and a
// consumer receiving at the same time, each writing its events), a schedule of faults on the node that matters
// most (broker-a's master, or the group's elected master), and the checker's report at the end: acknowledged,
// lost, duplicated, the longest time without a send or a receive, and how soon each fault let them resume.
//   npm run chaos -- --mode 2m-2s-sync [--faults kill,pause,restart,partition] [--duration 120] [--fault-seconds 15] [--version 5.5.0]
// Writes test-artifacts/chaos-<mode>.json; exits 1 when the mode broke its promise (check.ts).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ClusterUnderTest } from "../integration/cluster.ts";
import { REPO_ROOT, dockerOk, sh, uniqueId } from "../integration/harness.ts";
import { GROUP_OF_THREE, byPort, masterNode } from "../integration/modes.ts";
import { check, parseEvents, renderReport, type ChaosReport, type InjectedFault } from "./check.ts";
import { readResult, writeResult } from "../../bench/results.ts";

const { values } = parseArgs({
  options: {
    mode: { type: "string", default: "2m-2s-sync" },
    faults: { type: "string", default: "kill,pause,restart" },
    duration: { type: "string", default: "120" },
    "fault-seconds": { type: "string", default: "15" },
    version: { type: "string" },
  },
});
const mode = values.mode;
const NAMESRVS: Record<string, string> = {
  single: "namesrv:9876",
  controller: "namesrv-1:9876;namesrv-2:9876;namesrv-3:9876",
};
/** The node a fault hits: broker-a's master now (the elected one in DLedger and controller modes). */
const target = (cluster: ClusterUnderTest) =>
  mode === "dledger" || mode === "controller"
    ? masterNode(cluster, byPort(GROUP_OF_THREE))
    : Promise.resolve(mode === "single" ? "broker" : "broker-a");

/** Each fault: what it does to a container, and how it is healed. */
const FAULTS: Record<string, { inject: (container: string) => Promise<unknown>; heal: (container: string) => Promise<unknown> }> = {
  // kill -9, then the node starts again on its volume.
  kill: { inject: (c) => dockerOk("kill", "-s", "KILL", c), heal: (c) => dockerOk("start", c) },
  // Every process frozen (the cgroup freezer, as SIGSTOP), then thawed: a master that comes back after others moved on.
  pause: { inject: (c) => dockerOk("pause", c), heal: (c) => dockerOk("unpause", c) },
  // A clean stop and start: RocketMQ's shutdown hook runs.
  restart: { inject: (c) => dockerOk("stop", "-t", "60", c), heal: (c) => dockerOk("start", c) },
  // Cut off from every other node and client (its own network namespace drops all but loopback), then joined again
  // with the same address: for DLedger, its leader alone in the minority.
  partition: { inject: (c) => isolation(c, "-I"), heal: (c) => isolation(c, "-D") },
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
  const common = ["--topic", topic, "--count", String(count), "--run-id", runId, "--group", `chaos-${runId}`];
  const consuming = cluster.hostClient([
    ...common,
    "--events",
    join(dir, "received"),
    "--mode",
    "consume",
    "--timeout-seconds",
    String(durationMs / 1000 + 240),
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
    String(durationMs / 1000 + 180),
  ]);

  // The nemesis starts once the consumer receives (its start and first rebalance are not a fault's doing): one
  // fault per slot of the duration, a fifth of the way in, held for --fault-seconds.
  await receiving(join(dir, "received"));
  const injected: InjectedFault[] = [];
  const slotMs = durationMs / Math.max(1, faults.length);
  const started = Date.now();
  for (const [i, name] of faults.entries()) {
    await sleepUntil(started + i * slotMs + slotMs / 5);
    const node = await target(cluster);
    const container = cluster.container(node);
    const injectedAt = Date.now();
    await FAULTS[name]!.inject(container);
    console.log(`${name} ${node} at ${((injectedAt - started) / 1000).toFixed(1)} s`);
    await sleepUntil(injectedAt + faultMs);
    await FAULTS[name]!.heal(container);
    injected.push({ name, target: node, group: "broker-a", injectedAt, healedAt: Date.now() });
  }
  const [sent, received] = await Promise.all([sending, consuming]);
  console.log(sent.stdout.trim(), "\n", received.stdout.trim());
  const events = ["sent", "received"].flatMap((f) => parseEvents(readFileSync(join(dir, f), "utf8")));
  const report = check(mode, count, events, injected);
  console.log(renderReport(report));
  const out = join(REPO_ROOT, "test-artifacts");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `chaos-${mode}.json`), JSON.stringify({ version: cluster.version, ...report }, null, 2) + "\n");
  recordFigures(report);
  process.exitCode = report.kept ? 0 : 1;
} finally {
  await cluster.down();
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
